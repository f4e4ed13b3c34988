#include "services/users/store/user_store.h"

#include <openssl/sha.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "libs/errors/error_details.h"
#include "libs/ids/uuid.h"
#include "libs/outbox/outbox.h"
#include "libs/pg/error.h"
#include "libs/pg/with_transaction.h"
#include "services/users/store/queries.h"
#include "services/users/store/user_json.h"
#include "services/users/store/user_row.h"
#include "services/users/store/user_validation.h"

namespace backoffice::users {
namespace {

constexpr char kEmailConstraint[] = "users_email_key";
constexpr char kCreateOperation[] = "CreateUser";

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

absl::StatusOr<std::string> CanonicalId(std::string_view id, std::string_view field) {
  absl::StatusOr<ids::Uuid> uuid = ids::ParseUuid(id);
  if (!uuid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Absl(field), ": must be a UUID in canonical text form"));
  }
  return uuid->ToString();
}

absl::Status NotFound(std::string_view id) {
  return absl::NotFoundError(absl::StrCat("user ", Absl(id), " not found"));
}

absl::Status EmailTaken() {
  return absl::AlreadyExistsError("user.email: already used by another account");
}

bool IsEmailClash(const absl::Status& status) {
  return pg::SqlState(status) == pg::kUniqueViolation &&
         pg::ConstraintName(status) == kEmailConstraint;
}

absl::Status CheckVersion(const User& user, std::optional<int64_t> expected_version) {
  if (expected_version.has_value() && *expected_version != user.version) {
    return absl::AbortedError(
        "etag: the user was changed by someone else (stale etag); read it again and retry");
  }
  return absl::OkStatus();
}

absl::StatusOr<User> ReadUser(pg::Transaction& tx, std::string_view sql, const std::string& id,
                              absl::Duration retention) {
  absl::StatusOr<pg::Result> rows = tx.Execute(sql, {id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound(id);
  return UserFromRow((*rows)[0], retention);
}

absl::Status ExpectOneRow(const absl::StatusOr<pg::Result>& result) {
  if (!result.ok()) return result.status();
  if (result->affected_rows() != 1) {
    // The row is locked by this transaction, so only a logic error gets here.
    return absl::InternalError("user row changed under its lock");
  }
  return absl::OkStatus();
}

std::string Sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

// Hash of everything a Create request asks for, to tell a retry from a different request. The
// password hash is salted (differs on every retry), so only whether one was given counts.
std::string CreateRequestHash(const UserFields& f, const NewUser& user) {
  std::string description;
  for (const std::string* part :
       {&f.email, &f.display_name, &f.phone_number, &f.locale, &f.time_zone, &f.attributes}) {
    absl::StrAppend(&description, part->size(), ":", *part, "|");
  }
  absl::StrAppend(&description, f.email_verified, user.password_hash.has_value(),
                  user.password_change_required);
  return Sha256(description);
}

std::string JsonObject(std::initializer_list<std::pair<const char*, boost::json::value>> items) {
  boost::json::object object;
  for (const auto& [key, value] : items) object[key] = value;
  return boost::json::serialize(object);
}

outbox::OutboxEvent Event(const Actor& actor, std::string_view type, const User* before,
                          const User& after, std::string metadata) {
  return outbox::OutboxEvent{
      .id = ids::NewUuidV7(),
      .aggregate_type = "user",
      .aggregate_id = after.id,
      .event_type = std::string(type),
      .actor_type = actor.type,
      .actor_id = actor.id,
      .request_id = actor.request_id,
      .trace_id = actor.trace_id,
      .before = before != nullptr ? UserToJson(*before) : std::string(),
      .after = UserToJson(after),
      .metadata = std::move(metadata),
      .occurred_at = after.update_time,
  };
}

// The updatable fields, in the order "*" expands to.
constexpr std::string_view kUpdatableFields[] = {
    "email", "display_name", "email_verified", "phone_number", "locale", "time_zone", "attributes"};
// Fields of User that exist but only the service sets.
constexpr std::string_view kOutputOnlyFields[] = {"id",
                                                  "status",
                                                  "password_set",
                                                  "password_change_required",
                                                  "totp_enabled",
                                                  "disabled_reason",
                                                  "recovery_codes_remaining",
                                                  "create_time",
                                                  "update_time",
                                                  "delete_time",
                                                  "purge_time",
                                                  "last_login_time",
                                                  "password_change_time",
                                                  "etag"};

// Resolves the mask to a set of updatable field names.
absl::StatusOr<std::vector<std::string>> ResolveMask(const std::vector<std::string>& mask) {
  if (mask.empty()) {
    return absl::InvalidArgumentError("update_mask: required; name the fields to change");
  }
  std::vector<std::string> fields;
  auto add = [&](std::string_view name) {
    if (std::find(fields.begin(), fields.end(), name) == fields.end()) fields.emplace_back(name);
  };
  for (size_t i = 0; i < mask.size(); ++i) {
    const std::string& path = mask[i];
    std::string where = absl::StrCat("update_mask.paths[", i, "]");
    if (path == "*") {
      for (std::string_view name : kUpdatableFields) add(name);
      continue;
    }
    if (std::find(std::begin(kUpdatableFields), std::end(kUpdatableFields), path) !=
        std::end(kUpdatableFields)) {
      add(path);
      continue;
    }
    if (std::find(std::begin(kOutputOnlyFields), std::end(kOutputOnlyFields), path) !=
        std::end(kOutputOnlyFields)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": field \"", path, "\" is not updatable"));
    }
    bool plain = path.size() <= 64 && std::all_of(path.begin(), path.end(), [](char c) {
                   return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
                 });
    return absl::InvalidArgumentError(plain ? absl::StrCat(where, ": unknown field \"", path, "\"")
                                            : absl::StrCat(where, ": unknown field"));
  }
  return fields;
}

// Applies the masked fields of `input` to `current`, validating each. Field paths "user.<name>".
absl::Status ApplyMask(const std::vector<std::string>& fields, const UserFields& input,
                       UserFields& current) {
  for (const std::string& field : fields) {
    if (field == "email") {
      absl::StatusOr<std::string> email = NormalizeEmail(input.email);
      if (!email.ok()) return email.status();
      current.email = *email;
    } else if (field == "display_name") {
      absl::StatusOr<std::string> name = NormalizeDisplayName(input.display_name);
      if (!name.ok()) return name.status();
      current.display_name = *name;
    } else if (field == "email_verified") {
      current.email_verified = input.email_verified;
    } else if (field == "phone_number") {
      if (absl::Status s = ValidatePhoneNumber(input.phone_number); !s.ok()) return s;
      current.phone_number = input.phone_number;
    } else if (field == "locale") {
      if (absl::Status s = ValidateLocale(input.locale); !s.ok()) return s;
      current.locale = input.locale;
    } else if (field == "time_zone") {
      if (absl::Status s = ValidateTimeZone(input.time_zone); !s.ok()) return s;
      current.time_zone = input.time_zone;
    } else if (field == "attributes") {
      absl::StatusOr<std::string> attributes = NormalizeAttributes(input.attributes);
      if (!attributes.ok()) return attributes.status();
      current.attributes = *attributes;
    }
  }
  return absl::OkStatus();
}

UserFields FieldsOf(const User& user) {
  return UserFields{.email = user.email,
                    .display_name = user.display_name,
                    .email_verified = user.email_verified,
                    .phone_number = user.phone_number,
                    .locale = user.locale,
                    .time_zone = user.time_zone,
                    .attributes = user.attributes};
}

// The fields whose values differ. Attributes compare as JSON values, not text.
std::vector<std::string> ChangedFields(const UserFields& a, const UserFields& b) {
  std::vector<std::string> changed;
  if (a.email != b.email) changed.emplace_back("email");
  if (a.display_name != b.display_name) changed.emplace_back("display_name");
  if (a.email_verified != b.email_verified) changed.emplace_back("email_verified");
  if (a.phone_number != b.phone_number) changed.emplace_back("phone_number");
  if (a.locale != b.locale) changed.emplace_back("locale");
  if (a.time_zone != b.time_zone) changed.emplace_back("time_zone");
  boost::system::error_code left_error;
  boost::system::error_code right_error;
  boost::json::value left = boost::json::parse(a.attributes, left_error);
  boost::json::value right = boost::json::parse(b.attributes, right_error);
  if (left_error || right_error || left != right) {
    changed.emplace_back("attributes");
  }
  return changed;
}

bool IsActorTheUser(const Actor& actor, const std::string& id) {
  return actor.type == outbox::kActorUser && actor.id == id;
}

// Whether the last-admin rule applies to `id`: it is on and `id` holds admin.
bool IsAdminHolder(const LastAdminCheck& admins, const std::string& id) {
  if (!admins.enabled) return false;
  return std::any_of(admins.admin_holder_ids.begin(), admins.admin_holder_ids.end(),
                     [&](const std::string& holder) {
                       absl::StatusOr<std::string> canonical = CanonicalId(holder, "");
                       return canonical.ok() && *canonical == id;
                     });
}

// FAILED_PRECONDITION (reason LAST_ADMIN) unless an admin holder other than `id` has an active
// account. Call with the last-admin advisory lock held (kLockLastAdminCheck), so no other holder
// stops being active until this transaction ends.
absl::Status CheckAnotherActiveAdmin(pg::Transaction& tx, const LastAdminCheck& admins,
                                     const std::string& id, std::string_view what) {
  std::vector<std::string> others;
  for (const std::string& holder : admins.admin_holder_ids) {
    absl::StatusOr<std::string> canonical = CanonicalId(holder, "");
    if (canonical.ok() && *canonical != id) others.push_back(*std::move(canonical));
  }
  if (!others.empty()) {
    absl::StatusOr<pg::Result> active = tx.Execute(
        sql::kCountActiveUsersAmong, {absl::StrCat("{", absl::StrJoin(others, ","), "}")});
    if (!active.ok()) return active.status();
    absl::StatusOr<int64_t> count = (*active)[0].Get<int64_t>(0);
    if (!count.ok()) return count.status();
    if (*count > 0) return absl::OkStatus();
  }
  return errors::WithErrorReason(
      absl::FailedPreconditionError(absl::StrCat(
          "id: this is the last active admin; ", Absl(what),
          " would leave no active administrator; grant admin to another active account first")),
      "LAST_ADMIN");
}

}  // namespace

UserStore::UserStore(pg::Pool& pool, UserStoreOptions options)
    : pool_(pool), options_(std::move(options)) {}

absl::Time UserStore::Now() const { return options_.clock ? options_.clock() : absl::Now(); }

absl::StatusOr<User> UserStore::Create(const NewUser& input, const Actor& actor) {
  absl::StatusOr<UserFields> fields = NormalizeNewUserFields(input.fields);
  if (!fields.ok()) return fields.status();
  if (input.request_id.size() > static_cast<size_t>(kMaxRequestIdBytes)) {
    return absl::InvalidArgumentError("request_id: must be at most 128 bytes");
  }
  const std::string id = ids::NewUuidV7().ToString();
  const std::string caller = absl::StrCat(actor.type, ":", actor.id);
  const std::string request_hash = CreateRequestHash(*fields, input);
  const absl::Duration retention = options_.delete_retention;
  User created;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    if (!input.request_id.empty()) {
      absl::StatusOr<pg::Result> claimed =
          tx.Execute(sql::kClaimIdempotencyKey,
                     {kCreateOperation, caller, input.request_id, pg::Bytea{request_hash}, id,
                      absl::ToInt64Seconds(options_.idempotency_ttl)});
      if (!claimed.ok()) return claimed.status();
      if (claimed->empty()) {
        absl::StatusOr<pg::Result> existing =
            tx.Execute(sql::kSelectIdempotencyKey, {kCreateOperation, caller, input.request_id});
        if (!existing.ok()) return existing.status();
        if (existing->empty()) return absl::AbortedError("request_id: claim vanished; retry");
        absl::StatusOr<pg::Bytea> hash = (*existing)[0].Get<pg::Bytea>(0);
        absl::StatusOr<std::string> first_id = (*existing)[0].Get<std::string>(1);
        if (!hash.ok()) return hash.status();
        if (!first_id.ok()) return first_id.status();
        if (hash->data != request_hash) {
          return absl::AlreadyExistsError(
              "request_id: already used for a different CreateUser request");
        }
        absl::StatusOr<User> first = ReadUser(tx, sql::kSelectUser, *first_id, retention);
        if (!first.ok()) return first.status();
        created = *std::move(first);
        return absl::OkStatus();
      }
    }
    absl::StatusOr<pg::Result> inserted =
        tx.Execute(sql::kInsertUser,
                   {id, fields->email, fields->display_name, fields->email_verified,
                    fields->phone_number, fields->locale, fields->time_zone, fields->attributes,
                    input.password_hash, input.password_change_required});
    if (!inserted.ok()) return IsEmailClash(inserted.status()) ? EmailTaken() : inserted.status();
    absl::StatusOr<User> user = ReadUser(tx, sql::kSelectUser, id, retention);
    if (!user.ok()) return user.status();
    if (absl::Status s =
            outbox::AppendToOutbox(tx, Event(actor, "user.created", nullptr, *user, "{}"));
        !s.ok()) {
      return s;
    }
    created = *std::move(user);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return created;
}

absl::StatusOr<User> UserStore::Get(std::string_view id, GetUserOptions options) {
  absl::StatusOr<std::string> canonical = CanonicalId(id, "id");
  if (!canonical.ok()) return canonical.status();
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kSelectUser, {*canonical});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound(*canonical);
  absl::StatusOr<User> user = UserFromRow((*rows)[0], options_.delete_retention);
  if (user.ok() && !options.include_deleted && user->status == UserStatus::kDeleted) {
    return NotFound(*canonical);
  }
  return user;
}

absl::StatusOr<BatchGetUsersResult> UserStore::BatchGet(absl::Span<const std::string> ids) {
  if (ids.empty()) return absl::InvalidArgumentError("ids: at least one id is required");
  if (ids.size() > static_cast<size_t>(kMaxBatchGetIds)) {
    return absl::InvalidArgumentError("ids: at most 500 ids");
  }
  std::vector<std::string> order;  // canonical, first occurrences
  absl::flat_hash_map<std::string, int> position;
  for (size_t i = 0; i < ids.size(); ++i) {
    absl::StatusOr<std::string> canonical = CanonicalId(ids[i], absl::StrCat("ids[", i, "]"));
    if (!canonical.ok()) return canonical.status();
    if (position.emplace(*canonical, static_cast<int>(order.size())).second) {
      order.push_back(*canonical);
    }
  }
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows =
      (*conn)->Execute(sql::kSelectUsersByIds, {absl::StrCat("{", absl::StrJoin(order, ","), "}")});
  if (!rows.ok()) return rows.status();
  std::vector<std::optional<User>> found(order.size());
  absl::StatusOr<UserColumns> columns;
  if (!rows->empty()) {
    columns = UserColumns::Of((*rows)[0]);
    if (!columns.ok()) return columns.status();
  }
  for (const pg::Row& row : *rows) {
    absl::StatusOr<User> user = UserFromRow(row, *columns, options_.delete_retention);
    if (!user.ok()) return user.status();
    auto it = position.find(user->id);
    if (it == position.end()) return absl::InternalError("BatchGet returned an unasked id");
    found[it->second] = *std::move(user);
  }
  BatchGetUsersResult result;
  for (size_t i = 0; i < order.size(); ++i) {
    if (found[i].has_value()) {
      result.users.push_back(*std::move(found[i]));
    } else {
      result.missing_ids.push_back(order[i]);
    }
  }
  return result;
}

absl::StatusOr<User> UserStore::Update(const UserUpdate& update, const Actor& actor) {
  absl::StatusOr<std::string> id = CanonicalId(update.id, "user.id");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::vector<std::string>> fields = ResolveMask(update.update_mask);
  if (!fields.ok()) return fields.status();
  // Validate the new values before touching the database.
  UserFields validated;
  if (absl::Status s = ApplyMask(*fields, update.fields, validated); !s.ok()) return s;

  const absl::Duration retention = options_.delete_retention;
  User result;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<User> before = ReadUser(tx, sql::kSelectUserForUpdate, *id, retention);
    if (!before.ok()) return before.status();
    if (absl::Status s = CheckVersion(*before, update.expected_version); !s.ok()) return s;
    if (before->status == UserStatus::kDeleted) {
      return absl::FailedPreconditionError("user is deleted; restore it before updating");
    }
    UserFields current = FieldsOf(*before);
    UserFields next = current;
    if (absl::Status s = ApplyMask(*fields, update.fields, next); !s.ok()) return s;
    std::vector<std::string> changed = ChangedFields(current, next);
    if (changed.empty()) {
      result = *before;
      return absl::OkStatus();
    }
    absl::StatusOr<pg::Result> updated = tx.Execute(
        sql::kUpdateUserFields, {*id, next.email, next.display_name, next.email_verified,
                                 next.phone_number, next.locale, next.time_zone, next.attributes});
    if (!updated.ok()) return IsEmailClash(updated.status()) ? EmailTaken() : updated.status();
    if (absl::Status s = ExpectOneRow(updated); !s.ok()) return s;
    absl::StatusOr<User> after = ReadUser(tx, sql::kSelectUser, *id, retention);
    if (!after.ok()) return after.status();
    boost::json::array names;
    for (const std::string& name : changed) names.emplace_back(name);
    if (absl::Status s = outbox::AppendToOutbox(
            tx, Event(actor, "user.updated", &*before, *after, JsonObject({{"changed", names}})));
        !s.ok()) {
      return s;
    }
    result = *std::move(after);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<User> UserStore::SoftDelete(std::string_view id,
                                           std::optional<int64_t> expected_version,
                                           const Actor& actor, const LastAdminCheck& admins) {
  absl::StatusOr<std::string> canonical = CanonicalId(id, "id");
  if (!canonical.ok()) return canonical.status();
  const bool admin = IsAdminHolder(admins, *canonical);
  const bool self = IsActorTheUser(actor, *canonical);
  // An admin deleting themselves hears the last-admin rule first when it applies.
  if (self && !admin) {
    return absl::FailedPreconditionError("cannot delete your own account");
  }
  const absl::Duration retention = options_.delete_retention;
  User result;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    if (admin) {
      if (auto r = tx.Execute(sql::kLockLastAdminCheck, {}); !r.ok()) return r.status();
    }
    absl::StatusOr<User> before = ReadUser(tx, sql::kSelectUserForUpdate, *canonical, retention);
    if (!before.ok()) return before.status();
    if (absl::Status s = CheckVersion(*before, expected_version); !s.ok()) return s;
    if (before->status == UserStatus::kDeleted) {
      return absl::FailedPreconditionError("user is already deleted");
    }
    if (admin && before->status == UserStatus::kActive) {
      if (absl::Status s = CheckAnotherActiveAdmin(tx, admins, *canonical, "deleting it");
          !s.ok()) {
        return s;
      }
    }
    if (self) return absl::FailedPreconditionError("cannot delete your own account");
    if (absl::Status s = ExpectOneRow(tx.Execute(sql::kSoftDeleteUser, {*canonical})); !s.ok()) {
      return s;
    }
    absl::StatusOr<pg::Result> revoked =
        tx.Execute(sql::kRevokeUserSessions, {*canonical, "user_deleted"});
    if (!revoked.ok()) return revoked.status();
    absl::StatusOr<User> after = ReadUser(tx, sql::kSelectUser, *canonical, retention);
    if (!after.ok()) return after.status();
    if (absl::Status s = outbox::AppendToOutbox(
            tx, Event(actor, "user.deleted", &*before, *after,
                      JsonObject({{"sessions_revoked", revoked->affected_rows()}})));
        !s.ok()) {
      return s;
    }
    result = *std::move(after);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<User> UserStore::Restore(std::string_view id,
                                        std::optional<int64_t> expected_version,
                                        const Actor& actor) {
  absl::StatusOr<std::string> canonical = CanonicalId(id, "id");
  if (!canonical.ok()) return canonical.status();
  const absl::Duration retention = options_.delete_retention;
  User result;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<User> before = ReadUser(tx, sql::kSelectUserForUpdate, *canonical, retention);
    if (!before.ok()) return before.status();
    if (absl::Status s = CheckVersion(*before, expected_version); !s.ok()) return s;
    if (before->status != UserStatus::kDeleted) {
      return absl::FailedPreconditionError("user is not deleted");
    }
    absl::StatusOr<pg::Result> restored = tx.Execute(sql::kRestoreUser, {*canonical});
    if (!restored.ok()) {
      return IsEmailClash(restored.status()) ? EmailTaken() : restored.status();
    }
    if (absl::Status s = ExpectOneRow(restored); !s.ok()) return s;
    absl::StatusOr<User> after = ReadUser(tx, sql::kSelectUser, *canonical, retention);
    if (!after.ok()) return after.status();
    if (absl::Status s =
            outbox::AppendToOutbox(tx, Event(actor, "user.restored", &*before, *after, "{}"));
        !s.ok()) {
      return s;
    }
    result = *std::move(after);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<User> UserStore::SetStatus(std::string_view id, UserStatus target,
                                          std::string_view reason,
                                          std::optional<int64_t> expected_version,
                                          const Actor& actor, const LastAdminCheck& admins) {
  absl::StatusOr<std::string> canonical = CanonicalId(id, "id");
  if (!canonical.ok()) return canonical.status();
  if (target == UserStatus::kDeleted) {
    return absl::InvalidArgumentError("status: must be active or disabled; use SoftDelete");
  }
  const bool disable = target == UserStatus::kDisabled;
  const bool admin = disable && IsAdminHolder(admins, *canonical);
  const bool self = disable && IsActorTheUser(actor, *canonical);
  if (disable) {
    if (absl::Status s = ValidateText(reason, kMaxDisabledReasonChars, "reason"); !s.ok()) {
      return s;
    }
    // An admin disabling themselves hears the last-admin rule first when it applies.
    if (self && !admin) {
      return absl::FailedPreconditionError("cannot disable your own account");
    }
  }
  const absl::Duration retention = options_.delete_retention;
  User result;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    if (admin) {
      if (auto r = tx.Execute(sql::kLockLastAdminCheck, {}); !r.ok()) return r.status();
    }
    absl::StatusOr<User> before = ReadUser(tx, sql::kSelectUserForUpdate, *canonical, retention);
    if (!before.ok()) return before.status();
    if (absl::Status s = CheckVersion(*before, expected_version); !s.ok()) return s;
    if (disable && before->status != UserStatus::kActive) {
      return absl::FailedPreconditionError(
          before->status == UserStatus::kDeleted ? "user is deleted" : "user is already disabled");
    }
    if (admin) {
      if (absl::Status s = CheckAnotherActiveAdmin(tx, admins, *canonical, "disabling it");
          !s.ok()) {
        return s;
      }
    }
    if (self) return absl::FailedPreconditionError("cannot disable your own account");
    if (!disable && before->status != UserStatus::kDisabled) {
      return absl::FailedPreconditionError("user is not disabled");
    }
    std::string stored_reason = disable ? std::string(reason) : std::string();
    if (absl::Status s = ExpectOneRow(
            tx.Execute(sql::kSetUserStatus, {*canonical, UserStatusName(target), stored_reason}));
        !s.ok()) {
      return s;
    }
    std::string metadata = "{}";
    if (disable) {
      absl::StatusOr<pg::Result> revoked =
          tx.Execute(sql::kRevokeUserSessions, {*canonical, "user_disabled"});
      if (!revoked.ok()) return revoked.status();
      metadata = JsonObject({{"reason", boost::json::string(stored_reason)},
                             {"sessions_revoked", revoked->affected_rows()}});
    }
    absl::StatusOr<User> after = ReadUser(tx, sql::kSelectUser, *canonical, retention);
    if (!after.ok()) return after.status();
    if (absl::Status s =
            outbox::AppendToOutbox(tx, Event(actor, disable ? "user.disabled" : "user.enabled",
                                             &*before, *after, std::move(metadata)));
        !s.ok()) {
      return s;
    }
    result = *std::move(after);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

}  // namespace backoffice::users
