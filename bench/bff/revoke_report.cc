#include "bench/bff/revoke_report.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_format.h"
#include "bench/users/latency_stats.h"

namespace backoffice::bench {
namespace {

std::vector<int64_t> SortedNanos(const std::vector<RevokeRound>& rounds,
                                 const std::function<absl::Duration(const RevokeRound&)>& pick) {
  std::vector<int64_t> nanos;
  nanos.reserve(rounds.size());
  for (const RevokeRound& round : rounds) {
    nanos.push_back(absl::ToInt64Nanoseconds(pick(round)));
  }
  std::sort(nanos.begin(), nanos.end());
  return nanos;
}

std::string Ms(int64_t nanos) { return absl::StrFormat("%.2f", nanos / 1e6); }

}  // namespace

std::string RevokeTableHeader() {
  return "| BFF permissions | rounds | revoke → first 403: p50 ms | p90 ms | p99 ms | max ms | "
         "200s after the revoke: total / rounds with any / most in a round | "
         "first 403 by: bff / users | "
         "grant → first 200: p50 ms | max ms | poll request mean ms | failed rounds |\n"
         "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
}

std::string RevokeTableRow(std::string_view label, const std::vector<RevokeRound>& rounds,
                           int64_t failed) {
  const std::vector<int64_t> refused =
      SortedNanos(rounds, [](const RevokeRound& r) { return r.revoke_to_refused; });
  const std::vector<int64_t> allowed =
      SortedNanos(rounds, [](const RevokeRound& r) { return r.grant_to_allowed; });
  int64_t leaked = 0;
  int64_t leaky_rounds = 0;
  int64_t most = 0;
  int64_t by_bff = 0;
  int64_t polls = 0;
  absl::Duration poll_time;
  for (const RevokeRound& round : rounds) {
    leaked += round.allowed_after_revoke;
    leaky_rounds += round.allowed_after_revoke > 0 ? 1 : 0;
    most = std::max(most, round.allowed_after_revoke);
    by_bff += round.refused_by_bff ? 1 : 0;
    polls += round.poll_requests;
    poll_time += round.poll_time;
  }
  const std::string poll_mean =
      polls > 0 ? absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(poll_time / polls)) : "-";
  return absl::StrFormat(
      "| %s | %d | %s | %s | %s | %s | %d / %d / %d | %d / %d | %s | %s | %s | %d |\n", label,
      rounds.size(), Ms(NearestRank(refused, 0.5)), Ms(NearestRank(refused, 0.9)),
      Ms(NearestRank(refused, 0.99)), Ms(NearestRank(refused, 1.0)), leaked, leaky_rounds, most,
      by_bff, static_cast<int64_t>(rounds.size()) - by_bff, Ms(NearestRank(allowed, 0.5)),
      Ms(NearestRank(allowed, 1.0)), poll_mean, failed);
}

}  // namespace backoffice::bench
