#include "bench/bff/revoke_report.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace backoffice::bench {
namespace {

RevokeRound Round(int refused_ms, int64_t leaked, int allowed_ms) {
  return RevokeRound{.grant_to_allowed = absl::Milliseconds(allowed_ms),
                     .revoke_to_refused = absl::Milliseconds(refused_ms),
                     .allowed_after_revoke = leaked,
                     .refused_by_bff = refused_ms % 2 == 0,
                     .poll_requests = leaked + 1,
                     .poll_time = absl::Milliseconds(refused_ms)};
}

TEST_CASE("the row gives nearest-rank percentiles of the revoke delay and counts the leaks") {
  std::vector<RevokeRound> rounds;
  for (int i = 1; i <= 10; ++i) {
    rounds.push_back(Round(i, i == 10 ? 3 : 0, 100 + i));
  }
  // p50 of 1..10 ms is the 5th, p90 the 9th, p99 and max the 10th; 3 requests got through, in one
  // round; 5 rounds refused by the bff, 5 by users; grant p50 105 ms, max 110 ms; 13 poll requests
  // took 55 ms.
  CHECK(RevokeTableRow("watch", rounds, 2) ==
        "| watch | 10 | 5.00 | 9.00 | 10.00 | 10.00 | 3 / 1 / 3 | 5 / 5 | 105.00 | 110.00 | 4.231 "
        "| 2 |\n");
}

TEST_CASE("no rounds give zeros and no poll mean") {
  CHECK(RevokeTableRow("none", {}, 5) ==
        "| none | 0 | 0.00 | 0.00 | 0.00 | 0.00 | 0 / 0 / 0 | 0 / 0 | 0.00 | 0.00 | - | 5 |\n");
}

TEST_CASE("the header has as many columns as a row") {
  const std::string header = RevokeTableHeader();
  const std::string first_line = header.substr(0, header.find('\n'));
  const std::string row = RevokeTableRow("x", {Round(1, 0, 1)}, 0);
  CHECK(std::count(first_line.begin(), first_line.end(), '|') ==
        std::count(row.begin(), row.end(), '|'));
}

}  // namespace
}  // namespace backoffice::bench
