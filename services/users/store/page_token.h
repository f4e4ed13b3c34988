// Opaque keyset page tokens for UserStore::List.
//
// A token is base64url (no padding) of a small JSON document:
//   {"v":1,"b":"<binding>","x":<expiry, unix seconds>,"k":[<sort values>],"i":"<last id>",
//    "t":<total>,"te":<total is an estimate>}
// `k` holds the last row's sort values (times as unix microseconds, null for -infinity; text as
// strings) and `i` its id: the next page starts strictly after (k..., i) in the sort order.
// `b` binds the token to the filters and sort it was issued for (a hash of them, see
// ListBinding): a token replayed with other filters is refused rather than silently paging a
// different list. `t` and `te` (optional) carry the total reported with the first page, so later
// pages can report it without counting again. The token is not signed: a client that edits one
// only moves its own starting point or changes the total it is shown, since every value reaches
// SQL as a typed parameter.
#pragma once

#include <cstdint>
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

/// A list's total as reported with a page: `size` -1 when not counted.
struct PageTotal {
  int64_t size = -1;
  bool estimate = false;
  friend bool operator==(const PageTotal&, const PageTotal&) = default;
};

/// Encodes `position` for a list with `binding`, valid until `expires_at`, carrying `total` when
/// it was counted (size >= 0).
std::string EncodePageToken(const PagePosition& position, std::string_view binding,
                            absl::Time expires_at, const PageTotal& total = {});

/// Decodes a token. `kinds` gives the expected sort value kinds in order (true = time, false =
/// text). INVALID_ARGUMENT "page.page_token: ..." when it is too long, malformed, of an unknown
/// version, issued for another binding, expired at `now`, or its values do not fit `kinds`.
/// When `total` is not null it receives the carried total ({-1, false} if the token has none).
absl::StatusOr<PagePosition> DecodePageToken(std::string_view token, std::string_view binding,
                                             const std::vector<bool>& kinds, absl::Time now,
                                             PageTotal* total = nullptr);

}  // namespace backoffice::users
