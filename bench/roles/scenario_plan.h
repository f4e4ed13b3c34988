// The pure parts of the roles benchmark driver: which scenarios run, in what order, and the
// dispenser of users whose permissions the service has not resolved yet.
//
//   absl::StatusOr<std::vector<std::string>> names = ParseScenarioList("effective_cold,check_hot");
//   FreshIds fresh(user_ids);
//   if (const std::string* id = fresh.Next()) { ... }  // each id at most once, any thread
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace backoffice::bench {

/// Every scenario, in the default order.
inline constexpr const char* kRolesScenarios[] = {"effective_cold", "check_hot", "batch_check_10",
                                                  "check_single_caller"};

/// The comma-separated scenario names of `list`, in order. INVALID_ARGUMENT for an empty list,
/// an unknown or repeated name, or `effective_cold` after another scenario (the others fill the
/// service's cache, so its users would no longer be fresh).
absl::StatusOr<std::vector<std::string>> ParseScenarioList(absl::string_view list);

/// Hands out each id of a list at most once, to any number of threads.
class FreshIds final {
 public:
  explicit FreshIds(std::vector<std::string> ids) : ids_(std::move(ids)) {}

  /// An id never handed out before, or null when all are used.
  const std::string* Next();

  /// How many ids were handed out.
  int64_t used() const;

  /// How many ids there are.
  int64_t size() const { return static_cast<int64_t>(ids_.size()); }

 private:
  const std::vector<std::string> ids_;
  std::atomic<int64_t> next_{0};
};

}  // namespace backoffice::bench
