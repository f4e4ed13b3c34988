#include "services/roles/store/role_store.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "libs/errors/error_details.h"
#include "libs/ids/uuid.h"
#include "libs/pg/error.h"
#include "libs/pg/with_transaction.h"
#include "services/roles/store/idempotency.h"
#include "services/roles/store/permission_store.h"
#include "services/roles/store/queries.h"
#include "services/roles/store/role_graph.h"
#include "services/roles/store/store_support.h"

namespace backoffice::roles {
namespace {

constexpr char kNameConstraint[] = "roles_name_key";
constexpr char kCreateOperation[] = "CreateRole";

absl::Status NotFound(std::string_view id) {
  return absl::NotFoundError(absl::StrCat("role ", Absl(id), " not found"));
}

absl::StatusOr<Role> RoleFromRow(const pg::Row& row) {
  Role role;
  absl::StatusOr<std::string> id = row.Get<std::string>("id");
  absl::StatusOr<std::string> name = row.Get<std::string>("name");
  absl::StatusOr<std::string> display = row.Get<std::string>("display_name");
  absl::StatusOr<std::string> description = row.Get<std::string>("description");
  absl::StatusOr<bool> system = row.Get<bool>("is_system");
  absl::StatusOr<int64_t> version = row.Get<int64_t>("version");
  absl::StatusOr<absl::Time> created = row.Get<absl::Time>("created_at");
  absl::StatusOr<absl::Time> updated = row.Get<absl::Time>("updated_at");
  absl::StatusOr<std::string> permissions = row.Get<std::string>("permissions");
  absl::StatusOr<std::string> parents = row.Get<std::string>("parent_ids");
  absl::StatusOr<int64_t> members = row.Get<int64_t>("member_count");
  for (const absl::Status& s :
       {id.status(), name.status(), display.status(), description.status(), system.status(),
        version.status(), created.status(), updated.status(), permissions.status(),
        parents.status(), members.status()}) {
    if (!s.ok()) return s;
  }
  role.id = *id;
  role.name = *name;
  role.display_name = *display;
  role.description = *description;
  role.system = *system;
  role.version = *version;
  role.create_time = *created;
  role.update_time = *updated;
  role.permissions = SplitList(*permissions);
  role.parent_ids = SplitList(*parents);
  role.member_count = *members;
  return role;
}

template <typename Executor>
absl::StatusOr<Role> ReadRole(Executor& executor, std::string_view id) {
  absl::StatusOr<pg::Result> rows =
      executor.Execute(absl::StrCat(Absl(sql::kSelectRoleColumns), " WHERE r.id = $1"), {id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound(id);
  return RoleFromRow((*rows)[0]);
}

std::string RoleJson(const Role& role) {
  boost::json::array permissions(role.permissions.begin(), role.permissions.end());
  boost::json::array parents(role.parent_ids.begin(), role.parent_ids.end());
  boost::json::object object{{"id", role.id},
                             {"name", role.name},
                             {"display_name", role.display_name},
                             {"description", role.description},
                             {"system", role.system},
                             {"permissions", permissions},
                             {"parent_role_ids", parents},
                             {"version", role.version}};
  return boost::json::serialize(object);
}

bool IsRoleName(std::string_view name) {
  if (name.size() < 2 || name.size() > 64) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

size_t Characters(std::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

// Validates and normalizes (sorted, deduplicated lists; display_name defaults to name).
absl::StatusOr<RoleFields> Normalize(RoleFields fields) {
  if (!IsRoleName(fields.name)) {
    return absl::InvalidArgumentError(
        "role.name: must be 2 to 64 bytes of letters, digits, '_' or '-', starting with a letter");
  }
  if (fields.display_name.empty()) fields.display_name = fields.name;
  if (Characters(fields.display_name) > 100) {
    return absl::InvalidArgumentError("role.display_name: must be at most 100 characters");
  }
  if (Characters(fields.description) > 1000) {
    return absl::InvalidArgumentError("role.description: must be at most 1000 characters");
  }
  if (fields.permissions.size() > kMaxRolePermissions) {
    return absl::InvalidArgumentError("role.permissions: at most 500 entries");
  }
  for (size_t i = 0; i < fields.permissions.size(); ++i) {
    if (absl::Status s = ValidatePermissionName(fields.permissions[i],
                                                absl::StrCat("role.permissions[", i, "]"));
        !s.ok()) {
      return s;
    }
  }
  if (fields.parent_ids.size() > kMaxParents) {
    return absl::InvalidArgumentError("role.parent_role_ids: at most 10 parents");
  }
  for (size_t i = 0; i < fields.parent_ids.size(); ++i) {
    absl::StatusOr<std::string> id =
        CanonicalId(fields.parent_ids[i], absl::StrCat("role.parent_role_ids[", i, "]"));
    if (!id.ok()) return id.status();
    fields.parent_ids[i] = *id;
  }
  for (std::vector<std::string>* list : {&fields.permissions, &fields.parent_ids}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  return fields;
}

// Tells a retry of a create from a different request: everything the normalized request asks for.
std::string CreateFingerprint(const RoleFields& fields) {
  return RequestFingerprint({fields.name, fields.display_name, fields.description,
                             ArrayLiteral(fields.permissions), ArrayLiteral(fields.parent_ids)});
}

// INVALID_ARGUMENT naming the first permission of `requested` the catalog lacks.
absl::Status CheckPermissionsKnown(pg::Transaction& tx, const std::vector<std::string>& requested,
                                   const std::vector<std::string>& original_order) {
  if (requested.empty()) return absl::OkStatus();
  absl::StatusOr<pg::Result> rows =
      tx.Execute(sql::kSelectUnknownPermissions, {ArrayLiteral(requested)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::OkStatus();
  absl::flat_hash_set<std::string> unknown;
  for (const pg::Row& row : *rows) unknown.insert(*row.Get<std::string>(0));
  for (size_t i = 0; i < original_order.size(); ++i) {
    if (unknown.contains(original_order[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "role.permissions[", i, "]: unknown permission \"", original_order[i], "\""));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("role.permissions: unknown permission \"",
                                                 *(*rows)[0].Get<std::string>(0), "\""));
}

// NOT_FOUND naming the first parent id that is no role.
absl::Status CheckParentsExist(pg::Transaction& tx, const std::vector<std::string>& parents,
                               const std::vector<std::string>& original_order) {
  if (parents.empty()) return absl::OkStatus();
  absl::StatusOr<pg::Result> rows = tx.Execute(sql::kSelectExistingRoles, {ArrayLiteral(parents)});
  if (!rows.ok()) return rows.status();
  absl::flat_hash_set<std::string> existing;
  for (const pg::Row& row : *rows) existing.insert(*row.Get<std::string>(0));
  for (size_t i = 0; i < original_order.size(); ++i) {
    absl::StatusOr<std::string> id = CanonicalId(original_order[i], "");
    if (id.ok() && !existing.contains(*id)) {
      return absl::NotFoundError(
          absl::StrCat("role.parent_role_ids[", i, "]: no role ", original_order[i]));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RoleGraph> LoadGraph(pg::Transaction& tx) {
  RoleGraph graph;
  absl::StatusOr<pg::Result> roles = tx.Execute(sql::kSelectGraphRoles);
  if (!roles.ok()) return roles.status();
  for (const pg::Row& row : *roles) {
    graph.AddRole(*row.Get<std::string>(0), *row.Get<std::string>(1));
  }
  absl::StatusOr<pg::Result> edges = tx.Execute(sql::kSelectGraphEdges);
  if (!edges.ok()) return edges.status();
  for (const pg::Row& row : *edges) {
    graph.AddEdge(*row.Get<std::string>(0), *row.Get<std::string>(1));
  }
  return graph;
}

// Cycle and depth checks of `role` having `parents`, against the locked graph.
absl::Status CheckGraph(pg::Transaction& tx, const std::string& role,
                        const std::vector<std::string>& parents) {
  absl::StatusOr<RoleGraph> graph = LoadGraph(tx);
  if (!graph.ok()) return graph.status();
  graph->SetParents(role, parents);
  if (std::optional<std::vector<std::string>> cycle = graph->FindCycleThrough(role)) {
    return errors::WithErrorReason(
        absl::FailedPreconditionError(absl::StrCat(
            "role.parent_role_ids: inheritance would form a cycle: ", FormatCycle(*cycle))),
        "CYCLE");
  }
  if (int length = graph->LongestChainThrough(role); length > kMaxChainLength) {
    return absl::FailedPreconditionError(
        absl::StrCat("role.parent_role_ids: the inheritance chain would be ", length,
                     " roles long; at most ", kMaxChainLength));
  }
  return absl::OkStatus();
}

absl::Status CheckVersion(const Role& role, std::optional<int64_t> expected) {
  if (expected.has_value() && *expected != role.version) {
    return errors::WithErrorReason(
        absl::AbortedError(
            "etag: the role was changed by someone else (stale etag); read it again and retry"),
        "ETAG_MISMATCH");
  }
  return absl::OkStatus();
}

absl::Status Translate(const absl::Status& status, std::string_view name) {
  if (pg::SqlState(status) == pg::kUniqueViolation &&
      pg::ConstraintName(status) == kNameConstraint) {
    return absl::AlreadyExistsError(
        absl::StrCat("role.name: a role named \"", Absl(name), "\" already exists"));
  }
  return status;
}

std::vector<std::string> Minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

constexpr std::string_view kUpdatable[] = {"name", "display_name", "description", "permissions",
                                           "parent_role_ids"};

absl::StatusOr<absl::flat_hash_set<std::string>> ResolveMask(const std::vector<std::string>& mask) {
  if (mask.empty()) {
    return absl::InvalidArgumentError("update_mask: required; name the fields to change");
  }
  absl::flat_hash_set<std::string> fields;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i] == "*") {
      for (std::string_view f : kUpdatable) fields.insert(std::string(f));
    } else if (std::find(std::begin(kUpdatable), std::end(kUpdatable), mask[i]) !=
               std::end(kUpdatable)) {
      fields.insert(mask[i]);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask.paths[", i, "]: not an updatable field of Role"));
    }
  }
  return fields;
}

}  // namespace

absl::StatusOr<Role> RoleStore::Create(const RoleFields& input, const Actor& actor,
                                       std::string_view request_id) {
  absl::StatusOr<RoleFields> fields = Normalize(input);
  if (!fields.ok()) return fields.status();
  if (request_id.size() > kMaxRequestIdBytes) {
    return absl::InvalidArgumentError("request_id: must be at most 128 bytes");
  }
  const IdempotencyKey key{.operation = kCreateOperation,
                           .caller = absl::StrCat(actor.type, ":", actor.id),
                           .request_id = std::string(request_id)};
  Role created;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    std::string id = ids::NewUuidV7().ToString();
    // The key first, before the graph lock: a retry then answers without waiting for other
    // writers, and a concurrent twin waits here for the first one's commit or rollback.
    if (!request_id.empty()) {
      absl::StatusOr<std::optional<std::string>> first =
          ClaimIdempotencyKey(tx, key, CreateFingerprint(*fields), id, options_.idempotency_ttl);
      if (!first.ok()) return first.status();
      if (first->has_value()) {
        absl::StatusOr<Role> role = ReadRole(tx, **first);
        if (absl::IsNotFound(role.status())) {
          return absl::NotFoundError(absl::StrCat("request_id: the role this request created (",
                                                  **first, ") has been deleted since"));
        }
        if (!role.ok()) return role.status();
        created = *std::move(role);
        return absl::OkStatus();
      }
    }
    if (auto r = tx.Execute(sql::kLockRoleGraph); !r.ok()) return r.status();
    if (absl::Status s = CheckPermissionsKnown(tx, fields->permissions, input.permissions);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckParentsExist(tx, fields->parent_ids, input.parent_ids); !s.ok()) {
      return s;
    }
    if (auto r = tx.Execute(sql::kInsertRole,
                            {id, fields->name, fields->display_name, fields->description});
        !r.ok()) {
      return Translate(r.status(), fields->name);
    }
    if (auto r = tx.Execute(sql::kAddRolePermissions, {id, ArrayLiteral(fields->permissions)});
        !r.ok()) {
      return r.status();
    }
    if (!fields->parent_ids.empty()) {
      if (auto r = tx.Execute(sql::kAddRoleParents, {id, ArrayLiteral(fields->parent_ids)});
          !r.ok()) {
        return r.status();
      }
      if (absl::Status s = CheckGraph(tx, id, fields->parent_ids); !s.ok()) return s;
    }
    absl::StatusOr<Role> role = ReadRole(tx, id);
    if (!role.ok()) return role.status();
    created = *role;
    return AppendEvent(tx, actor, "role", id, "role.created", "", RoleJson(created), "");
  });
  if (!status.ok()) return status;
  return created;
}

absl::StatusOr<Role> RoleStore::Get(std::string_view id) {
  absl::StatusOr<std::string> canonical = CanonicalId(id, "id");
  if (!canonical.ok()) return canonical.status();
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return ReadRole(**conn, *canonical);
}

absl::StatusOr<Role> RoleStore::GetByName(std::string_view name) {
  if (!IsRoleName(name)) {
    return absl::InvalidArgumentError("name: not a role name");
  }
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(
      absl::StrCat(Absl(sql::kSelectRoleColumns), " WHERE lower(r.name) = lower($1)"), {name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(absl::StrCat("no role named \"", Absl(name), "\""));
  }
  return RoleFromRow((*rows)[0]);
}

absl::StatusOr<RolePage> RoleStore::List(const ListRolesRequest& request) {
  absl::StatusOr<int> size = PageSize(request.page_size, 50);
  if (!size.ok()) return size.status();
  if (request.query.size() > 200) {
    return absl::InvalidArgumentError("query: must be at most 200 characters");
  }
  if (request.ids.size() > 500) {
    return absl::InvalidArgumentError("ids: at most 500");
  }
  if (request.offset < 0 || request.offset > 10000) {
    return absl::InvalidArgumentError("page.offset: must be 0 to 10000");
  }
  if (request.offset > 0 && !request.page_token.empty()) {
    return absl::InvalidArgumentError("page.offset: not together with page.page_token");
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < request.ids.size(); ++i) {
    absl::StatusOr<std::string> id = CanonicalId(request.ids[i], absl::StrCat("ids[", i, "]"));
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  if (!request.permission.empty()) {
    if (absl::Status s = ValidatePermissionName(request.permission, "permission"); !s.ok()) {
      return s;
    }
  }
  // WHERE built only from constant fragments; values travel as parameters.
  pg::Params params;
  std::string where = " WHERE true";
  auto next = [&](pg::Param value) {
    params.Add(std::move(value));
    return absl::StrCat("$", params.size());
  };
  if (!request.query.empty()) {
    std::string p = next(ContainsPattern(request.query));
    absl::StrAppend(&where, " AND (r.name ILIKE ", p, " OR r.display_name ILIKE ", p,
                    " OR r.description ILIKE ", p, ")");
  }
  if (request.kind != ListRolesRequest::Kind::kAll) {
    absl::StrAppend(&where,
                    " AND r.is_system = ", next(request.kind == ListRolesRequest::Kind::kSystem));
  }
  if (!ids.empty()) {
    absl::StrAppend(&where, " AND r.id = ANY(", next(ArrayLiteral(ids)), "::uuid[])");
  }
  if (!request.permission.empty()) {
    absl::StrAppend(&where,
                    " AND EXISTS (SELECT 1 FROM role_permissions x WHERE x.role_id = r.id AND "
                    "x.permission = ",
                    next(request.permission), ")");
  }
  pg::Params count_params = params;
  std::string count_sql = absl::StrCat("SELECT count(*) FROM roles r", where);

  std::string binding =
      absl::StrCat("roles|", request.query, "|", static_cast<int>(request.kind), "|",
                   ArrayLiteral(ids), "|", request.permission, "|", request.descending);
  absl::Time now = absl::Now();
  if (!request.page_token.empty()) {
    absl::StatusOr<PagePosition> position = DecodePageToken(request.page_token, binding, now);
    if (!position.ok()) return position.status();
    std::string key = next(position->key);
    std::string id = next(position->id);
    absl::StrAppend(&where, " AND (lower(r.name), r.id) ", request.descending ? "<" : ">", " (",
                    key, ", ", id, "::uuid)");
  }
  std::string sql = absl::StrCat(Absl(sql::kSelectRoleColumns), where,
                                 request.descending ? " ORDER BY lower(r.name) DESC, r.id DESC"
                                                    : " ORDER BY lower(r.name), r.id",
                                 " LIMIT ", next(static_cast<int64_t>(*size + 1)), " OFFSET ",
                                 next(static_cast<int64_t>(request.offset)));

  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql, params);
  if (!rows.ok()) return rows.status();
  RolePage page;
  for (const pg::Row& row : *rows) {
    if (static_cast<int>(page.roles.size()) == *size) {
      const Role& last = page.roles.back();
      std::string lowered = last.name;
      std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      page.next_page_token = EncodePageToken(binding, {.key = lowered, .id = last.id}, now);
      break;
    }
    absl::StatusOr<Role> role = RoleFromRow(row);
    if (!role.ok()) return role.status();
    page.roles.push_back(*std::move(role));
  }
  absl::StatusOr<pg::Result> count = (*conn)->Execute(count_sql, count_params);
  if (!count.ok()) return count.status();
  page.total_size = *(*count)[0].Get<int64_t>(0);
  return page;
}

absl::StatusOr<RoleChange> RoleStore::Update(const RoleUpdate& update, const Actor& actor) {
  absl::StatusOr<std::string> id = CanonicalId(update.id, "role.id");
  if (!id.ok()) return id.status();
  absl::StatusOr<absl::flat_hash_set<std::string>> mask = ResolveMask(update.update_mask);
  if (!mask.ok()) return mask.status();
  RoleChange change;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    change = {};
    if (auto r = tx.Execute(sql::kLockRoleGraph); !r.ok()) return r.status();
    absl::StatusOr<pg::Result> locked = tx.Execute(sql::kSelectRoleForUpdate, {*id});
    if (!locked.ok()) return locked.status();
    if (locked->empty()) return NotFound(*id);
    absl::StatusOr<Role> before = ReadRole(tx, *id);
    if (!before.ok()) return before.status();
    if (absl::Status s = CheckVersion(*before, update.expected_version); !s.ok()) return s;

    RoleFields merged{.name = before->name,
                      .display_name = before->display_name,
                      .description = before->description,
                      .permissions = before->permissions,
                      .parent_ids = before->parent_ids};
    if (mask->contains("name")) merged.name = update.fields.name;
    if (mask->contains("display_name")) merged.display_name = update.fields.display_name;
    if (mask->contains("description")) merged.description = update.fields.description;
    if (mask->contains("permissions")) merged.permissions = update.fields.permissions;
    if (mask->contains("parent_role_ids")) merged.parent_ids = update.fields.parent_ids;
    absl::StatusOr<RoleFields> after = Normalize(merged);
    if (!after.ok()) return after.status();

    bool renamed = after->name != before->name;
    bool labels_changed = renamed || after->display_name != before->display_name ||
                          after->description != before->description;
    std::vector<std::string> added = Minus(after->permissions, before->permissions);
    std::vector<std::string> removed = Minus(before->permissions, after->permissions);
    bool parents_changed = after->parent_ids != before->parent_ids;
    if (before->system && renamed) {
      return absl::FailedPreconditionError("role.name: system roles cannot be renamed");
    }
    if (before->system && (!added.empty() || !removed.empty() || parents_changed)) {
      return absl::FailedPreconditionError(
          "role.permissions: the permissions and parents of system roles are fixed");
    }
    if (!labels_changed && added.empty() && removed.empty() && !parents_changed) {
      change.role = *before;
      return absl::OkStatus();
    }
    const std::vector<std::string>& asked_permissions =
        mask->contains("permissions") ? update.fields.permissions : before->permissions;
    if (absl::Status s = CheckPermissionsKnown(tx, added, asked_permissions); !s.ok()) return s;
    if (parents_changed) {
      const std::vector<std::string>& asked_parents =
          mask->contains("parent_role_ids") ? update.fields.parent_ids : before->parent_ids;
      if (absl::Status s = CheckParentsExist(tx, after->parent_ids, asked_parents); !s.ok()) {
        return s;
      }
      if (absl::Status s = CheckGraph(tx, *id, after->parent_ids); !s.ok()) return s;
    }
    if (auto r = tx.Execute(sql::kUpdateRole,
                            {*id, after->name, after->display_name, after->description});
        !r.ok()) {
      return Translate(r.status(), after->name);
    }
    if (!added.empty()) {
      if (auto r = tx.Execute(sql::kAddRolePermissions, {*id, ArrayLiteral(added)}); !r.ok()) {
        return r.status();
      }
    }
    if (!removed.empty()) {
      if (auto r = tx.Execute(sql::kRemoveRolePermissions, {*id, ArrayLiteral(removed)}); !r.ok()) {
        return r.status();
      }
    }
    if (parents_changed) {
      if (auto r = tx.Execute(sql::kDeleteRoleParents, {*id}); !r.ok()) return r.status();
      if (!after->parent_ids.empty()) {
        if (auto r = tx.Execute(sql::kAddRoleParents, {*id, ArrayLiteral(after->parent_ids)});
            !r.ok()) {
          return r.status();
        }
      }
    }
    absl::StatusOr<Role> role = ReadRole(tx, *id);
    if (!role.ok()) return role.status();
    change.role = *role;
    change.affects_permissions = !added.empty() || !removed.empty() || parents_changed;
    std::string before_json = RoleJson(*before);
    std::string after_json = RoleJson(*role);
    if (labels_changed) {
      boost::json::array changed;
      if (renamed) changed.push_back("name");
      if (after->display_name != before->display_name) changed.push_back("display_name");
      if (after->description != before->description) changed.push_back("description");
      if (absl::Status s =
              AppendEvent(tx, actor, "role", *id, "role.updated", before_json, after_json,
                          boost::json::serialize(boost::json::object{{"changed", changed}}));
          !s.ok()) {
        return s;
      }
    }
    for (const auto& [list, type] : {std::pair{&added, "role.permission_added"},
                                     std::pair{&removed, "role.permission_removed"}}) {
      for (const std::string& permission : *list) {
        if (absl::Status s = AppendEvent(
                tx, actor, "role", *id, type, "", "",
                boost::json::serialize(boost::json::object{{"permission", permission}}));
            !s.ok()) {
          return s;
        }
      }
    }
    if (parents_changed) {
      boost::json::array old_parents(before->parent_ids.begin(), before->parent_ids.end());
      boost::json::array new_parents(after->parent_ids.begin(), after->parent_ids.end());
      if (absl::Status s = AppendEvent(
              tx, actor, "role", *id, "role.inheritance_changed",
              boost::json::serialize(boost::json::object{{"parent_role_ids", old_parents}}),
              boost::json::serialize(boost::json::object{{"parent_role_ids", new_parents}}), "");
          !s.ok()) {
        return s;
      }
    }
    // Watchers also cache how a user's grants read (/api/me lists role names), so a relabel
    // notifies too; it is rare, and the watch has no finer notice for it.
    if (change.affects_permissions || labels_changed) {
      return NotifyChange(tx, kNotifyAll);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return change;
}

absl::StatusOr<RoleChange> RoleStore::Delete(std::string_view raw_id,
                                             std::optional<int64_t> expected_version, bool force,
                                             const Actor& actor) {
  absl::StatusOr<std::string> id = CanonicalId(raw_id, "id");
  if (!id.ok()) return id.status();
  RoleChange change;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    change = {};
    if (auto r = tx.Execute(sql::kLockRoleGraph); !r.ok()) return r.status();
    absl::StatusOr<pg::Result> locked = tx.Execute(sql::kSelectRoleForUpdate, {*id});
    if (!locked.ok()) return locked.status();
    if (locked->empty()) return NotFound(*id);
    absl::StatusOr<Role> before = ReadRole(tx, *id);
    if (!before.ok()) return before.status();
    if (absl::Status s = CheckVersion(*before, expected_version); !s.ok()) return s;
    if (before->system) {
      return absl::FailedPreconditionError(
          absl::StrCat("id: ", before->name, " is a system role and cannot be deleted"));
    }
    absl::StatusOr<pg::Result> dependents = tx.Execute(sql::kCountRoleDependents, {*id});
    if (!dependents.ok()) return dependents.status();
    int64_t grants = *(*dependents)[0].Get<int64_t>(0);
    int64_t children = *(*dependents)[0].Get<int64_t>(1);
    if (!force && (grants > 0 || children > 0)) {
      return errors::WithErrorReason(
          absl::FailedPreconditionError(
              absl::StrCat("id: the role still has ", grants, " grant(s) and ", children,
                           " child role(s); revoke and unlink them first, or delete with force")),
          "ROLE_IN_USE");
    }
    if (auto r = tx.Execute(sql::kDeleteRole, {*id}); !r.ok()) return r.status();
    change.role = *before;
    change.affects_permissions = grants > 0 || children > 0;
    if (absl::Status s =
            AppendEvent(tx, actor, "role", *id, "role.deleted", RoleJson(*before), "",
                        boost::json::serialize(boost::json::object{
                            {"grants_removed", grants}, {"children_unlinked", children}}));
        !s.ok()) {
      return s;
    }
    return change.affects_permissions ? NotifyChange(tx, kNotifyAll) : absl::OkStatus();
  });
  if (!status.ok()) return status;
  return change;
}

absl::StatusOr<std::vector<std::string>> RoleStore::CarriedPermissions(std::string_view role_id) {
  absl::StatusOr<std::string> id = CanonicalId(role_id, "role_id");
  if (!id.ok()) return id.status();
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> exists =
      (*conn)->Execute(sql::kSelectExistingRoles, {ArrayLiteral({*id})});
  if (!exists.ok()) return exists.status();
  if (exists->empty()) return NotFound(*id);
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kRoleClosurePermissions, {*id});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> permissions;
  for (const pg::Row& row : *rows) permissions.push_back(*row.Get<std::string>(0));
  return permissions;
}

}  // namespace backoffice::roles
