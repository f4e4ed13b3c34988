// Debian's Abseil has its own absl::string_view, which does not convert from std::string_view.
// These adapters cross that line explicitly.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace backoffice::bff {

inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }
inline std::string_view ToStd(absl::string_view text) { return {text.data(), text.size()}; }

}  // namespace backoffice::bff
