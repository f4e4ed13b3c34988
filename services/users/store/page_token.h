// Opaque keyset page tokens for UserStore::List.
//
// A token is base64url (no padding) of a small JSON document:
//   {"v":1,"b":"<binding>","x":<expiry, unix seconds>,"k":[<sort values>],"i":"<last id>"}
// `k` holds the last row's sort values (times as unix microseconds, null for -infinity; text as
// strings) and `i` its id: the next page starts strictly after (k..., i) in the sort order.
// `b` binds the token to the filters and sort it was issued for (a hash of them, see
// ListBinding): a token replayed with other filters is refused rather than silently paging a
// different list. The token is not signed: a client that edits one only moves its own starting
// point, since every value reaches SQL as a typed parameter.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::users {

/// A sort value: a time (timestamptz keys) or text.
using SortValue = std::variant<absl::Time, std::string>;

/// Where a page ended: the last row's sort values (one per sort key, in order) and id.
struct PagePosition {
  std::vector<SortValue> values;
  std::string id;
  friend bool operator==(const PagePosition&, const PagePosition&) = default;
};

/// Encodes `position` for a list with `binding`, valid until `expires_at`.
std::string EncodePageToken(const PagePosition& position, std::string_view binding,
                            absl::Time expires_at);

/// Decodes a token. `kinds` gives the expected sort value kinds in order (true = time, false =
/// text). INVALID_ARGUMENT "page.page_token: ..." when it is too long, malformed, of an unknown
/// version, issued for another binding, expired at `now`, or its values do not fit `kinds`.
absl::StatusOr<PagePosition> DecodePageToken(std::string_view token, std::string_view binding,
                                             const std::vector<bool>& kinds, absl::Time now);

}  // namespace backoffice::users
