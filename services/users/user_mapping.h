// Mapping between the users service's protos (proto/users/v1) and the store's domain types
// (services/users/store). Pure functions: no database, no gRPC server. Errors are
// INVALID_ARGUMENT "<field path>: <problem>" in request terms, as ToGrpcStatus expects.
//
//   absl::StatusOr<ListUsersRequest> list = ListRequestFromProto(request);
//   absl::StatusOr<ListUsersPage> page = store.List(*list);
//   ListResponseToProto(*page, &response);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/users/v1/users.pb.h"
#include "services/users/store/list_users.h"
#include "services/users/store/user.h"
#include "services/users/store/user_store.h"

namespace backoffice::users {

/// Longest page token the API accepts (common/v1/page.proto).
inline constexpr size_t kMaxApiPageTokenBytes = 1024;

/// Fills `out` with every field of `user` (etag from the version, unset optional times left
/// unset, attributes parsed from the stored JSON object).
void UserToProto(const User& user, v1::User* out);

/// The proto status of a domain status.
v1::UserStatus StatusToProto(UserStatus status);

/// The domain status of a proto status; INVALID_ARGUMENT "<field>: ..." for UNSPECIFIED or an
/// unknown number.
absl::StatusOr<UserStatus> StatusFromProto(int status, std::string_view field);

/// A google.protobuf.Timestamp for `time`.
void TimeToProto(absl::Time time, google::protobuf::Timestamp* out);

/// The time a Timestamp names; INVALID_ARGUMENT "<field>: ..." when its nanos are out of range
/// or it lies outside years 1..9999 (google/protobuf/timestamp.proto).
absl::StatusOr<absl::Time> TimeFromProto(const google::protobuf::Timestamp& timestamp,
                                         std::string_view field);

/// The readable fields of a proto User for create or update (output-only fields ignored);
/// attributes become compact JSON object text ("" when unset). Values are validated by the store.
UserFields FieldsFromProto(const v1::User& user);

/// "" -> nullopt (unconditional), else the version the etag names; INVALID_ARGUMENT
/// "<field>: ..." when it is not an etag this service issued.
absl::StatusOr<std::optional<int64_t>> VersionFromOptionalEtag(std::string_view etag,
                                                               std::string_view field);

/// A store update from UpdateUserRequest: `user` and `update_mask` are required; field mask
/// paths pass through to the store, which rejects unknown or output-only ones.
absl::StatusOr<UserUpdate> UpdateFromProto(const v1::UpdateUserRequest& request);

/// The store's list request for ListUsersRequest (paging, filters, sort). Checks what the proto
/// states and the store does not: UNSPECIFIED statuses, a backwards time range, the token's size.
absl::StatusOr<ListUsersRequest> ListRequestFromProto(const v1::ListUsersRequest& request);

/// The store's list request for ExportUsersRequest's filters and sort (default create_time ASC);
/// paging fields are left at their defaults.
absl::StatusOr<ListUsersRequest> ExportFilterFromProto(const v1::ExportUsersRequest& request);

/// Fills a ListUsersResponse from a page.
void ListResponseToProto(const ListUsersPage& page, v1::ListUsersResponse* out);

}  // namespace backoffice::users
