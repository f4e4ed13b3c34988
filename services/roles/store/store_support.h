// Helpers the roles stores share: outbox events, change notifications, array parameters and
// keyset page tokens. Internal to services/roles/store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/transaction.h"
#include "services/roles/store/rbac_types.h"

namespace backoffice::roles {

/// The NOTIFY channel every replica LISTENs on. The payload is a user id (that user's effective
/// permissions changed) or kNotifyAll (a role or an edge changed: anyone may be affected).
inline constexpr char kChangeChannel[] = "roles_changed";
inline constexpr char kNotifyAll[] = "all";

/// Queues `pg_notify('roles_changed', payload)`; delivered only if `tx` commits.
absl::Status NotifyChange(pg::Transaction& tx, std::string_view payload);

/// Appends one outbox event (libs/outbox) for `actor`; before/after/metadata are JSON or "".
absl::Status AppendEvent(pg::Transaction& tx, const Actor& actor, std::string_view aggregate_type,
                         std::string_view aggregate_id, std::string_view event_type,
                         std::string before, std::string after, std::string metadata);

/// A PostgreSQL array literal ("{"a","b"}") of already validated values, for `$n::text[]` or
/// `$n::uuid[]` parameters (values travel as parameters, never in the SQL text).
std::string ArrayLiteral(const std::vector<std::string>& values);

/// Splits array_to_string(..., ',') output; "" gives no elements.
std::vector<std::string> SplitList(std::string_view text);

/// A keyset position: the sort key's text and the row id.
struct PagePosition {
  std::string key;
  std::string id;
};

/// An opaque token for `position`, bound to `binding` (a description of filters and sort) and
/// valid until `now + 24h`.
std::string EncodePageToken(std::string_view binding, const PagePosition& position, absl::Time now);

/// The position in a token: INVALID_ARGUMENT (`page.page_token`) if malformed, expired or made
/// for another binding.
absl::StatusOr<PagePosition> DecodePageToken(std::string_view token, std::string_view binding,
                                             absl::Time now);

/// page_size rules of docs/api/README.md: 0 -> `default_size`, above 500 -> 500, negative
/// INVALID_ARGUMENT (`page.page_size`).
absl::StatusOr<int> PageSize(int requested, int default_size);

}  // namespace backoffice::roles
