// Proto <-> domain mapping for RolesService (roles.proto <-> services/roles/store types).
#pragma once

#include <optional>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "proto/roles/v1/roles.pb.h"
#include "services/roles/store/rbac_types.h"

namespace backoffice::roles {

/// absl::Time <-> Timestamp (UTC, nanosecond precision).
void TimeToProto(absl::Time time, google::protobuf::Timestamp* out);
absl::Time TimeFromProto(const google::protobuf::Timestamp& timestamp);

/// Output fields included; etag = EtagForVersion(version).
void RoleToProto(const Role& role, v1::Role* out);
void GrantToProto(const Grant& grant, v1::RoleGrant* out);
void PermissionToProto(const Permission& permission, v1::Permission* out);

/// The fields CreateRole/UpdateRole read (name, display_name, description, permissions,
/// parent_role_ids).
RoleFields RoleFieldsFromProto(const v1::Role& role);

}  // namespace backoffice::roles
