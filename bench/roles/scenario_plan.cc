#include "bench/roles/scenario_plan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace backoffice::bench {

absl::StatusOr<std::vector<std::string>> ParseScenarioList(absl::string_view list) {
  std::vector<std::string> names;
  for (absl::string_view part : absl::StrSplit(list, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) names.emplace_back(part);
  }
  if (names.empty()) {
    return absl::InvalidArgumentError("--scenarios: no scenario named");
  }
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    if (std::find(std::begin(kRolesScenarios), std::end(kRolesScenarios),
                  absl::string_view(name)) == std::end(kRolesScenarios)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--scenarios: unknown scenario '", name,
                       "'; known: ", absl::StrJoin(kRolesScenarios, ", ")));
    }
    if (std::find(names.begin(), names.begin() + i, name) != names.begin() + i) {
      return absl::InvalidArgumentError(absl::StrCat("--scenarios: ", name, " named twice"));
    }
    if (name == "effective_cold" && i != 0) {
      return absl::InvalidArgumentError(
          "--scenarios: effective_cold must come first (the other scenarios fill the cache)");
    }
  }
  return names;
}

const std::string* FreshIds::Next() {
  const int64_t index = next_.fetch_add(1, std::memory_order_relaxed);
  return index < size() ? &ids_[index] : nullptr;
}

int64_t FreshIds::used() const { return std::min(next_.load(std::memory_order_relaxed), size()); }

}  // namespace backoffice::bench
