// Debian's Abseil is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0),
// which does not convert from std::string_view. These adapters cross that line explicitly.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace backoffice::pg::internal {

inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }
inline std::string_view ToStd(absl::string_view text) { return {text.data(), text.size()}; }

}  // namespace backoffice::pg::internal
