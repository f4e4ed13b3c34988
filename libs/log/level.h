#ifndef BACKOFFICE_LIBS_LOG_LEVEL_H_
#define BACKOFFICE_LIBS_LOG_LEVEL_H_

#include <string_view>

#include "absl/status/statusor.h"

namespace backoffice::log {

// Severity of a log line, lowest first.
enum class Level { kDebug, kInfo, kWarn, kError };

// Drops lines below `level` from now on (all threads). The default is Level::kInfo.
void SetMinLevel(Level level);

// The current minimum level.
Level MinLevel();

// Whether a line at `level` would be written.
bool IsEnabled(Level level);

// Parses "debug", "info", "warn" (or "warning") and "error", case-insensitively, as given to a
// --log_level flag. Anything else is INVALID_ARGUMENT.
absl::StatusOr<Level> ParseLevel(std::string_view text);

// The name written in the "level" field: "debug", "info", "warn", "error".
std::string_view LevelName(Level level);

}  // namespace backoffice::log

#endif  // BACKOFFICE_LIBS_LOG_LEVEL_H_
