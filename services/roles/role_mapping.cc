#include "services/roles/role_mapping.h"

namespace backoffice::roles {

void TimeToProto(absl::Time time, google::protobuf::Timestamp* out) {
  int64_t nanos = absl::ToUnixNanos(time);
  int64_t seconds = nanos / 1'000'000'000;
  int64_t rest = nanos % 1'000'000'000;
  if (rest < 0) {
    rest += 1'000'000'000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest));
}

absl::Time TimeFromProto(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

void RoleToProto(const Role& role, v1::Role* out) {
  out->set_id(role.id);
  out->set_name(role.name);
  out->set_display_name(role.display_name);
  out->set_description(role.description);
  out->set_system(role.system);
  for (const std::string& permission : role.permissions) out->add_permissions(permission);
  for (const std::string& parent : role.parent_ids) out->add_parent_role_ids(parent);
  out->set_member_count(role.member_count);
  TimeToProto(role.create_time, out->mutable_create_time());
  TimeToProto(role.update_time, out->mutable_update_time());
  out->set_etag(EtagForVersion(role.version));
}

void GrantToProto(const Grant& grant, v1::RoleGrant* out) {
  out->set_id(grant.id);
  out->set_user_id(grant.user_id);
  out->set_role_id(grant.role_id);
  out->set_granted_by(grant.granted_by);
  out->set_reason(grant.reason);
  TimeToProto(grant.create_time, out->mutable_create_time());
  if (grant.expire_time.has_value()) {
    TimeToProto(*grant.expire_time, out->mutable_expire_time());
  }
  out->set_expired(grant.expired);
}

void PermissionToProto(const Permission& permission, v1::Permission* out) {
  out->set_name(permission.name);
  out->set_service(permission.registered_by);
  out->set_description(permission.description);
  TimeToProto(permission.create_time, out->mutable_create_time());
  TimeToProto(permission.update_time, out->mutable_update_time());
}

RoleFields RoleFieldsFromProto(const v1::Role& role) {
  return RoleFields{
      .name = role.name(),
      .display_name = role.display_name(),
      .description = role.description(),
      .permissions = {role.permissions().begin(), role.permissions().end()},
      .parent_ids = {role.parent_role_ids().begin(), role.parent_role_ids().end()},
  };
}

}  // namespace backoffice::roles
