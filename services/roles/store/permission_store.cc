#include "services/roles/store/permission_store.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "libs/pg/with_transaction.h"
#include "services/roles/store/queries.h"
#include "services/roles/store/store_support.h"

namespace backoffice::roles {
namespace {

absl::StatusOr<Permission> PermissionFromRow(const pg::Row& row) {
  absl::StatusOr<std::string> name = row.Get<std::string>(0);
  absl::StatusOr<std::string> description = row.Get<std::string>(1);
  absl::StatusOr<std::string> registered_by = row.Get<std::string>(2);
  absl::StatusOr<absl::Time> created = row.Get<absl::Time>(3);
  absl::StatusOr<absl::Time> updated = row.Get<absl::Time>(4);
  for (const absl::Status& s : {name.status(), description.status(), registered_by.status(),
                                created.status(), updated.status()}) {
    if (!s.ok()) return s;
  }
  return Permission{.name = *name,
                    .description = *description,
                    .registered_by = *registered_by,
                    .create_time = *created,
                    .update_time = *updated};
}

bool IsServiceName(std::string_view service) {
  if (service.empty() || service.size() > 64 || service[0] < 'a' || service[0] > 'z') {
    return false;
  }
  for (char c : service) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::string ContainsPattern(std::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

absl::StatusOr<PermissionPage> PermissionStore::List(const ListPermissionsRequest& request) {
  absl::StatusOr<int> size = PageSize(request.page_size, 100);
  if (!size.ok()) return size.status();
  if (request.query.size() > 200) {
    return absl::InvalidArgumentError("query: must be at most 200 characters");
  }
  std::string pattern = request.query.empty() ? "" : ContainsPattern(request.query);
  std::string binding = absl::StrCat("permissions|", request.service, "|", request.query);
  absl::Time now = absl::Now();
  std::string after;
  if (!request.page_token.empty()) {
    absl::StatusOr<PagePosition> position = DecodePageToken(request.page_token, binding, now);
    if (!position.ok()) return position.status();
    after = position->key;
  }
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(
      sql::kListPermissions, {request.service, pattern, after, static_cast<int64_t>(*size + 1)});
  if (!rows.ok()) return rows.status();
  PermissionPage page;
  for (const pg::Row& row : *rows) {
    if (static_cast<int>(page.permissions.size()) == *size) {
      page.next_page_token = EncodePageToken(
          binding,
          {.key = page.permissions.back().name, .id = "00000000-0000-0000-0000-000000000000"}, now);
      break;
    }
    absl::StatusOr<Permission> permission = PermissionFromRow(row);
    if (!permission.ok()) return permission.status();
    page.permissions.push_back(*std::move(permission));
  }
  absl::StatusOr<pg::Result> count =
      (*conn)->Execute(sql::kCountPermissions, {request.service, pattern});
  if (!count.ok()) return count.status();
  absl::StatusOr<int64_t> total = (*count)[0].Get<int64_t>(0);
  if (!total.ok()) return total.status();
  page.total_size = *total;
  return page;
}

absl::StatusOr<RegisterResult> PermissionStore::Register(const std::string& service,
                                                         const std::vector<Permission>& permissions,
                                                         const Actor& actor) {
  if (!IsServiceName(service)) {
    return absl::InvalidArgumentError(
        "service: must be 1 to 64 bytes of [a-z0-9_], starting with a letter");
  }
  if (permissions.empty() || permissions.size() > kMaxRegisterPermissions) {
    return absl::InvalidArgumentError("permissions: must hold 1 to 500 permissions");
  }
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < permissions.size(); ++i) {
    std::string field = absl::StrCat("permissions[", i, "]");
    if (absl::Status s = ValidatePermissionName(permissions[i].name, field + ".name"); !s.ok()) {
      return s;
    }
    if (!seen.insert(permissions[i].name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".name: duplicate of an earlier entry"));
    }
    if (permissions[i].description.size() > 500 * 4) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".description: must be at most 500 characters"));
    }
  }
  RegisterResult result;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    result = {};
    // Admin's permissions change: the same lock as every other role change.
    if (auto r = tx.Execute(sql::kLockRoleGraph); !r.ok()) return r.status();
    std::vector<std::string> added;
    for (const Permission& permission : permissions) {
      absl::StatusOr<pg::Result> rows =
          tx.Execute(sql::kUpsertPermission, {permission.name, permission.description, service});
      if (!rows.ok()) return rows.status();
      if (rows->empty()) {
        ++result.unchanged;
        continue;
      }
      absl::StatusOr<bool> inserted = (*rows)[0].Get<bool>(0);
      if (!inserted.ok()) return inserted.status();
      if (*inserted) {
        ++result.created;
        added.push_back(permission.name);
      } else {
        ++result.updated;
      }
    }
    for (const std::string& name : added) {
      if (auto r = tx.Execute(sql::kAddPermissionToAdmin, {kAdminRoleId, name}); !r.ok()) {
        return r.status();
      }
      boost::json::object metadata{{"permission", name}, {"registered_by", service}};
      if (absl::Status s = AppendEvent(tx, actor, "role", kAdminRoleId, "role.permission_added", "",
                                       "", boost::json::serialize(metadata));
          !s.ok()) {
        return s;
      }
    }
    if (!added.empty()) {
      return NotifyChange(tx, kNotifyAll);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

}  // namespace backoffice::roles
