#include "libs/log/level.h"

#include <atomic>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace backoffice::log {
namespace {

std::atomic<int> min_level{static_cast<int>(Level::kInfo)};

}  // namespace

void SetMinLevel(Level level) {
  min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

Level MinLevel() { return static_cast<Level>(min_level.load(std::memory_order_relaxed)); }

bool IsEnabled(Level level) {
  return static_cast<int>(level) >= min_level.load(std::memory_order_relaxed);
}

absl::StatusOr<Level> ParseLevel(std::string_view text) {
  const std::string lower = absl::AsciiStrToLower(absl::string_view(text.data(), text.size()));
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  return absl::InvalidArgumentError(absl::StrCat("unknown log level \"", absl::CEscape(lower),
                                                 "\" (want debug, info, warn or error)"));
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "unknown";
}

}  // namespace backoffice::log
