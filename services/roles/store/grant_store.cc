#include "services/roles/store/grant_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "libs/errors/error_details.h"
#include "libs/ids/uuid.h"
#include "libs/pg/params.h"
#include "libs/pg/with_transaction.h"
#include "services/roles/store/queries.h"
#include "services/roles/store/store_support.h"

namespace backoffice::roles {
namespace {

absl::StatusOr<Grant> GrantFromRow(const pg::Row& row) {
  absl::StatusOr<std::string> id = row.Get<std::string>(0);
  absl::StatusOr<std::string> user = row.Get<std::string>(1);
  absl::StatusOr<std::string> role = row.Get<std::string>(2);
  absl::StatusOr<std::string> by = row.Get<std::string>(3);
  absl::StatusOr<std::string> reason = row.Get<std::string>(4);
  absl::StatusOr<absl::Time> at = row.Get<absl::Time>(5);
  absl::StatusOr<std::optional<absl::Time>> expires = row.Get<std::optional<absl::Time>>(6);
  absl::StatusOr<bool> expired = row.Get<bool>(7);
  for (const absl::Status& s : {id.status(), user.status(), role.status(), by.status(),
                                reason.status(), at.status(), expires.status(), expired.status()}) {
    if (!s.ok()) return s;
  }
  return Grant{.id = *id,
               .user_id = *user,
               .role_id = *role,
               .granted_by = *by,
               .reason = *reason,
               .create_time = *at,
               .expire_time = *expires,
               .expired = *expired};
}

std::string GrantJson(const Grant& grant) {
  boost::json::object object{{"id", grant.id},
                             {"user_id", grant.user_id},
                             {"role_id", grant.role_id},
                             {"granted_by", grant.granted_by},
                             {"reason", grant.reason}};
  object["expire_time"] = grant.expire_time.has_value()
                              ? boost::json::value(pg::FormatTimestamptz(*grant.expire_time))
                              : boost::json::value(nullptr);
  return boost::json::serialize(object);
}

size_t Characters(std::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

// FAILED_PRECONDITION (reason LAST_ADMIN) unless a user other than `user` among
// `active_admin_ids` holds an unexpired admin grant. Call with the admin role's row lock held.
absl::Status CheckAnotherActiveAdmin(pg::Transaction& tx, const std::string& user,
                                     const std::vector<std::string>& active_admin_ids,
                                     std::string_view field, std::string_view what) {
  absl::StatusOr<pg::Result> others = tx.Execute(
      sql::kCountOtherActiveGrants, {kAdminRoleId, user, ArrayLiteral(active_admin_ids)});
  if (!others.ok()) return others.status();
  if (*(*others)[0].Get<int64_t>(0) > 0) return absl::OkStatus();
  return errors::WithErrorReason(
      absl::FailedPreconditionError(absl::StrCat(
          Absl(field), ": this is the last admin grant of an active account; ", Absl(what),
          " would leave no active administrator; grant admin to an active account first")),
      "LAST_ADMIN");
}

}  // namespace

absl::StatusOr<GrantResult> GrantStore::GrantRole(
    const GrantRequest& request, const Actor& actor,
    const std::vector<std::string>& active_admin_ids) {
  absl::StatusOr<std::string> user = CanonicalId(request.user_id, "user_id");
  if (!user.ok()) return user.status();
  absl::StatusOr<std::string> role = CanonicalId(request.role_id, "role_id");
  if (!role.ok()) return role.status();
  absl::Time now = absl::Now();
  if (request.expire_time.has_value()) {
    if (*request.expire_time <= now) {
      return absl::InvalidArgumentError("expire_time: must be in the future");
    }
    if (*request.expire_time > now + absl::Hours(24 * 366 * 5)) {
      return absl::InvalidArgumentError("expire_time: must be at most 5 years away");
    }
  }
  if (Characters(request.reason) > 500) {
    return absl::InvalidArgumentError("reason: must be at most 500 characters");
  }
  // Only an expiry can shorten an admin grant; that check needs the admin role's lock.
  bool guard_admin = *role == kAdminRoleId && request.expire_time.has_value();
  GrantResult result;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    if (guard_admin) {
      if (auto r = tx.Execute(sql::kLockAdminRole, {kAdminRoleId}); !r.ok()) return r.status();
    }
    absl::StatusOr<pg::Result> locked = tx.Execute(sql::kLockRoleShare, {*role});
    if (!locked.ok()) return locked.status();
    if (locked->empty()) {
      return absl::NotFoundError(absl::StrCat("role_id: no role ", *role));
    }
    absl::StatusOr<pg::Result> existing = tx.Execute(sql::kSelectGrant, {*user, *role});
    if (!existing.ok()) return existing.status();
    if (guard_admin && !existing->empty()) {
      absl::StatusOr<Grant> current = GrantFromRow((*existing)[0]);
      if (!current.ok()) return current.status();
      bool shortens = !current->expired && (!current->expire_time.has_value() ||
                                            *request.expire_time < *current->expire_time);
      if (shortens) {
        if (absl::Status s = CheckAnotherActiveAdmin(tx, *user, active_admin_ids, "expire_time",
                                                     "letting it expire");
            !s.ok()) {
          return s;
        }
      }
    }
    if (existing->empty()) {
      absl::StatusOr<pg::Result> count = tx.Execute(sql::kCountUserGrants, {*user});
      if (!count.ok()) return count.status();
      if (*(*count)[0].Get<int64_t>(0) >= kMaxGrantsPerUser) {
        return absl::FailedPreconditionError(
            absl::StrCat("user_id: the user already holds ", kMaxGrantsPerUser, " roles"));
      }
    }
    absl::StatusOr<pg::Result> rows =
        tx.Execute(sql::kUpsertGrant,
                   {ids::NewUuidV7().ToString(), *user, *role,
                    absl::StrCat(actor.type, ":", actor.id), request.reason, request.expire_time});
    if (!rows.ok()) return rows.status();
    absl::StatusOr<Grant> grant = GrantFromRow((*rows)[0]);
    if (!grant.ok()) return grant.status();
    result.grant = *grant;
    result.created = *(*rows)[0].Get<bool>(8);
    if (absl::Status s = AppendEvent(
            tx, actor, "grant", grant->id, "grant.added", "", GrantJson(*grant),
            boost::json::serialize(boost::json::object{{"regranted", !result.created}}));
        !s.ok()) {
      return s;
    }
    return NotifyChange(tx, *user);
  });
  if (!status.ok()) return status;
  return result;
}

absl::Status GrantStore::RevokeRole(std::string_view user_id, std::string_view role_id,
                                    std::string_view reason, const Actor& actor,
                                    const std::vector<std::string>& active_admin_ids) {
  absl::StatusOr<std::string> user = CanonicalId(user_id, "user_id");
  if (!user.ok()) return user.status();
  absl::StatusOr<std::string> role = CanonicalId(role_id, "role_id");
  if (!role.ok()) return role.status();
  if (Characters(reason) > 500) {
    return absl::InvalidArgumentError("reason: must be at most 500 characters");
  }
  return pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    bool is_admin = *role == kAdminRoleId;
    if (is_admin) {
      if (auto r = tx.Execute(sql::kLockAdminRole, {kAdminRoleId}); !r.ok()) return r.status();
    }
    absl::StatusOr<pg::Result> existing = tx.Execute(sql::kSelectGrant, {*user, *role});
    if (!existing.ok()) return existing.status();
    if (existing->empty()) {
      return absl::NotFoundError(absl::StrCat("user ", *user, " does not hold role ", *role));
    }
    absl::StatusOr<Grant> grant = GrantFromRow((*existing)[0]);
    if (!grant.ok()) return grant.status();
    if (is_admin && !grant->expired) {
      if (absl::Status s =
              CheckAnotherActiveAdmin(tx, *user, active_admin_ids, "role_id", "revoking it");
          !s.ok()) {
        return s;
      }
    }
    if (auto r = tx.Execute(sql::kDeleteGrant, {*user, *role}); !r.ok()) return r.status();
    if (absl::Status s = AppendEvent(
            tx, actor, "grant", grant->id, "grant.revoked", GrantJson(*grant), "",
            boost::json::serialize(boost::json::object{{"reason", std::string(reason)}}));
        !s.ok()) {
      return s;
    }
    return NotifyChange(tx, *user);
  });
}

absl::StatusOr<std::vector<std::string>> GrantStore::ListOtherActiveHolders(
    std::string_view role_id, std::string_view user_id) {
  absl::StatusOr<std::string> role = CanonicalId(role_id, "role_id");
  if (!role.ok()) return role.status();
  absl::StatusOr<std::string> user = CanonicalId(user_id, "user_id");
  if (!user.ok()) return user.status();
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows =
      (*conn)->Execute(sql::kSelectOtherActiveGrantUsers, {*role, *user});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> holders;
  for (const pg::Row& row : *rows) {
    absl::StatusOr<std::string> id = row.Get<std::string>(0);
    if (!id.ok()) return id.status();
    holders.push_back(*std::move(id));
  }
  return holders;
}

absl::StatusOr<std::vector<Grant>> GrantStore::ListUserGrants(std::string_view user_id,
                                                              bool include_expired) {
  absl::StatusOr<std::string> user = CanonicalId(user_id, "user_id");
  if (!user.ok()) return user.status();
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows =
      (*conn)->Execute(sql::kListUserGrants, {*user, include_expired});
  if (!rows.ok()) return rows.status();
  std::vector<Grant> grants;
  for (const pg::Row& row : *rows) {
    absl::StatusOr<Grant> grant = GrantFromRow(row);
    if (!grant.ok()) return grant.status();
    grants.push_back(*std::move(grant));
  }
  return grants;
}

absl::StatusOr<MemberPage> GrantStore::ListMembers(const ListMembersRequest& request) {
  absl::StatusOr<std::string> role = CanonicalId(request.role_id, "role_id");
  if (!role.ok()) return role.status();
  absl::StatusOr<int> size = PageSize(request.page_size, 50);
  if (!size.ok()) return size.status();
  if (request.offset < 0 || request.offset > 10000) {
    return absl::InvalidArgumentError("page.offset: must be 0 to 10000");
  }
  if (request.offset > 0 && !request.page_token.empty()) {
    return absl::InvalidArgumentError("page.offset: not together with page.page_token");
  }
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> exists =
      (*conn)->Execute(sql::kSelectExistingRoles, {ArrayLiteral({*role})});
  if (!exists.ok()) return exists.status();
  if (exists->empty()) return absl::NotFoundError(absl::StrCat("role ", *role, " not found"));

  // WHERE from constant fragments only.
  pg::Params params;
  auto next = [&](pg::Param value) {
    params.Add(std::move(value));
    return absl::StrCat("$", params.size());
  };
  std::string role_param = next(*role);
  std::string where =
      request.include_inherited
          ? absl::StrCat(
                " WHERE g.role_id IN (WITH RECURSIVE d(id) AS (SELECT ", role_param,
                "::uuid UNION SELECT rp.role_id FROM role_parents rp JOIN d ON rp.parent_id = "
                "d.id) SELECT id FROM d)")
          : absl::StrCat(" WHERE g.role_id = ", role_param);
  if (!request.include_expired) {
    absl::StrAppend(&where, " AND (g.expires_at IS NULL OR g.expires_at > now())");
  }
  pg::Params count_params = params;
  std::string count_sql = absl::StrCat("SELECT count(*) FROM grants g", where);
  std::string binding = absl::StrCat("members|", *role, "|", request.include_inherited, "|",
                                     request.include_expired, "|", request.descending);
  absl::Time now = absl::Now();
  if (!request.page_token.empty()) {
    absl::StatusOr<PagePosition> position = DecodePageToken(request.page_token, binding, now);
    if (!position.ok()) return position.status();
    std::string key = next(position->key);
    std::string id = next(position->id);
    absl::StrAppend(&where, " AND (g.granted_at, g.id) ", request.descending ? "<" : ">", " (", key,
                    "::timestamptz, ", id, "::uuid)");
  }
  std::string sql = absl::StrCat(
      "SELECT g.id::text, g.user_id::text, g.role_id::text, g.granted_by, g.reason, "
      "g.granted_at, g.expires_at, (g.expires_at IS NOT NULL AND g.expires_at <= now()) "
      "FROM grants g",
      where,
      request.descending ? " ORDER BY g.granted_at DESC, g.id DESC"
                         : " ORDER BY g.granted_at, g.id",
      " LIMIT ", next(static_cast<int64_t>(*size + 1)), " OFFSET ",
      next(static_cast<int64_t>(request.offset)));
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql, params);
  if (!rows.ok()) return rows.status();
  MemberPage page;
  for (const pg::Row& row : *rows) {
    if (static_cast<int>(page.grants.size()) == *size) {
      const Grant& last = page.grants.back();
      page.next_page_token = EncodePageToken(
          binding, {.key = pg::FormatTimestamptz(last.create_time), .id = last.id}, now);
      break;
    }
    absl::StatusOr<Grant> grant = GrantFromRow(row);
    if (!grant.ok()) return grant.status();
    page.grants.push_back(*std::move(grant));
  }
  absl::StatusOr<pg::Result> count = (*conn)->Execute(count_sql, count_params);
  if (!count.ok()) return count.status();
  page.total_size = *(*count)[0].Get<int64_t>(0);
  return page;
}

absl::StatusOr<EffectivePermissions> GrantStore::Effective(std::string_view user_id) {
  absl::StatusOr<std::string> user = CanonicalId(user_id, "user_id");
  if (!user.ok()) return user.status();
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kEffectivePermissions, {*user});
  if (!rows.ok()) return rows.status();
  EffectivePermissions effective;
  for (const pg::Row& row : *rows) {
    absl::StatusOr<std::string> role = row.Get<std::string>(0);
    absl::StatusOr<std::optional<std::string>> permission = row.Get<std::optional<std::string>>(1);
    absl::StatusOr<std::optional<absl::Time>> valid_until = row.Get<std::optional<absl::Time>>(2);
    for (const absl::Status& s : {role.status(), permission.status(), valid_until.status()}) {
      if (!s.ok()) return s;
    }
    if (effective.role_ids.empty() || effective.role_ids.back() != *role) {
      effective.role_ids.push_back(*role);
    }
    effective.valid_until = *valid_until;
    if (permission->has_value()) {
      // Rows come by role id, so the first role seen for a permission is the smallest id.
      if (effective.carried_by.emplace(**permission, *role).second) {
        effective.permissions.push_back(**permission);
      }
    }
  }
  std::sort(effective.permissions.begin(), effective.permissions.end());
  return effective;
}

absl::StatusOr<bool> GrantStore::BootstrapAdmin(std::string_view user_id, const Actor& actor) {
  absl::StatusOr<std::string> user = CanonicalId(user_id, "--bootstrap_admin_user_id");
  if (!user.ok()) return user.status();
  bool granted = false;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    granted = false;
    if (auto r = tx.Execute(sql::kLockAdminRole, {kAdminRoleId}); !r.ok()) return r.status();
    absl::StatusOr<pg::Result> any = tx.Execute(sql::kCountAnyGrantOfRole, {kAdminRoleId});
    if (!any.ok()) return any.status();
    if (*(*any)[0].Get<bool>(0)) return absl::OkStatus();
    absl::StatusOr<pg::Result> rows =
        tx.Execute(sql::kUpsertGrant, {ids::NewUuidV7().ToString(), *user, kAdminRoleId,
                                       absl::StrCat(actor.type, ":", actor.id),
                                       "bootstrap administrator", std::optional<absl::Time>()});
    if (!rows.ok()) return rows.status();
    absl::StatusOr<Grant> grant = GrantFromRow((*rows)[0]);
    if (!grant.ok()) return grant.status();
    granted = true;
    if (absl::Status s = AppendEvent(tx, actor, "grant", grant->id, "grant.added", "",
                                     GrantJson(*grant), R"({"bootstrap":true})");
        !s.ok()) {
      return s;
    }
    return NotifyChange(tx, *user);
  });
  if (!status.ok()) return status;
  return granted;
}

}  // namespace backoffice::roles
