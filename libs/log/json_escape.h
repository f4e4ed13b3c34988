#ifndef BACKOFFICE_LIBS_LOG_JSON_ESCAPE_H_
#define BACKOFFICE_LIBS_LOG_JSON_ESCAPE_H_

#include <string>
#include <string_view>

namespace backoffice::log {

// Appends `text` to `out` as a quoted JSON string. Quotes, backslashes and control characters are
// escaped (\n, \t, ... or \u00XX), as are DEL, U+2028 and U+2029; every byte that is not part of a
// valid UTF-8 sequence (including overlong forms and surrogates) becomes U+FFFD, so the line is
// always valid JSON and valid UTF-8.
void AppendJsonString(std::string& out, std::string_view text);

// Appends a JSON number; NaN and infinities, which JSON lacks, become the strings "NaN", "+Inf"
// and "-Inf".
void AppendJsonDouble(std::string& out, double value);

}  // namespace backoffice::log

#endif  // BACKOFFICE_LIBS_LOG_JSON_ESCAPE_H_
