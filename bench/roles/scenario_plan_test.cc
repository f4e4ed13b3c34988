#include "bench/roles/scenario_plan.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

namespace backoffice::bench {
namespace {

TEST_CASE("scenario lists keep their order and refuse unknown, repeated or late cold names") {
  absl::StatusOr<std::vector<std::string>> all =
      ParseScenarioList("effective_cold,check_hot,batch_check_10,check_single_caller");
  REQUIRE(all.ok());
  CHECK(*all == std::vector<std::string>{"effective_cold", "check_hot", "batch_check_10",
                                         "check_single_caller"});
  absl::StatusOr<std::vector<std::string>> some = ParseScenarioList(" batch_check_10 , check_hot");
  REQUIRE(some.ok());
  CHECK(*some == std::vector<std::string>{"batch_check_10", "check_hot"});

  CHECK(ParseScenarioList("").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ParseScenarioList(",").status().code() == absl::StatusCode::kInvalidArgument);
  absl::Status unknown = ParseScenarioList("check_hot,check_cold").status();
  CHECK(unknown.code() == absl::StatusCode::kInvalidArgument);
  CHECK(unknown.message().find("check_cold") != std::string::npos);
  CHECK(ParseScenarioList("check_hot,check_hot").status().code() ==
        absl::StatusCode::kInvalidArgument);
  absl::Status late = ParseScenarioList("check_hot,effective_cold").status();
  CHECK(late.code() == absl::StatusCode::kInvalidArgument);
  CHECK(late.message().find("effective_cold must come first") != std::string::npos);
}

TEST_CASE("FreshIds hands every id out once across threads, then null") {
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back("id" + std::to_string(i));
  FreshIds fresh(ids);
  CHECK(fresh.size() == 1000);
  CHECK(fresh.used() == 0);
  std::mutex mutex;
  std::multiset<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (const std::string* id = fresh.Next()) {
        std::lock_guard lock(mutex);
        seen.insert(*id);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(seen.size() == 1000);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 1000);
  CHECK(fresh.Next() == nullptr);
  CHECK(fresh.used() == 1000);
}

}  // namespace
}  // namespace backoffice::bench
