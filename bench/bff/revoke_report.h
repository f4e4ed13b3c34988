// What bench/bff/revoke_latency measures in each round (grant, allowed, revoke, refused) and the
// Markdown table row that summarizes the rounds.
//
//   std::vector<RevokeRound> rounds = ...;  // one per grant/revoke cycle
//   std::cout << RevokeTableHeader() << RevokeTableRow("watch (cached)", rounds, failures);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace backoffice::bench {

/// One grant/revoke cycle, timed from each call's acknowledgement.
struct RevokeRound {
  /// From GrantRole's answer to the first 200 on the route.
  absl::Duration grant_to_allowed;
  /// 403 answers between the grant and that 200.
  int64_t refused_after_grant = 0;
  /// From RevokeRole's answer to the first 403 on the route (the answer's arrival).
  absl::Duration revoke_to_refused;
  /// 200 answers between the revoke and that 403: requests a revoked user still got through.
  int64_t allowed_after_revoke = 0;
  /// Whether that 403 was the BFF's own (its route check) rather than the users service's
  /// PERMISSION_DENIED passed through.
  bool refused_by_bff = false;
  /// Requests sent while polling after the revoke (the 403 included), and how long they took.
  int64_t poll_requests = 0;
  absl::Duration poll_time;
};

/// The header and separator lines of the table, ending in a newline.
std::string RevokeTableHeader();

/// One row: `label`, the rounds' count, revoke-to-refused p50/p90/p99/max (nearest rank),
/// the 200s after revokes (total / rounds with any / most in one round), who refused first (bff /
/// users), grant-to-allowed p50 and max, the mean poll request, and `failed` rounds (not counted in
/// the percentiles). Ends in a newline.
std::string RevokeTableRow(std::string_view label, const std::vector<RevokeRound>& rounds,
                           int64_t failed);

}  // namespace backoffice::bench
