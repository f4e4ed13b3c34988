#include "libs/pg/connection_options.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace backoffice::pg {
namespace {

// libpq splits `options` on spaces; a backslash escapes the next character.
std::string EscapeOptionValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == ' ' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ToLibpqKeywords(const ConnectionOptions& options) {
  std::vector<std::pair<std::string, std::string>> keywords;
  if (!options.host.empty()) {
    keywords.emplace_back("host", options.host);
  }
  keywords.emplace_back("port", absl::StrCat(options.port));
  if (!options.dbname.empty()) {
    keywords.emplace_back("dbname", options.dbname);
  }
  if (!options.user.empty()) {
    keywords.emplace_back("user", options.user);
  }
  if (!options.password.empty()) {
    keywords.emplace_back("password", options.password);
  }
  if (!options.application_name.empty()) {
    keywords.emplace_back("application_name", options.application_name);
  }
  const double seconds = absl::ToDoubleSeconds(options.connect_timeout);
  if (seconds > 0) {
    keywords.emplace_back("connect_timeout",
                          absl::StrCat(static_cast<long long>(std::ceil(seconds))));
  }
  keywords.emplace_back("client_encoding", "UTF8");
  std::string startup = "-c TimeZone=UTC -c DateStyle=ISO,YMD";
  if (!options.search_path.empty()) {
    absl::StrAppend(&startup, " -c search_path=", EscapeOptionValue(options.search_path));
  }
  keywords.emplace_back("options", startup);
  // Notice a peer that vanished without closing the socket (pulled cable, dead node).
  keywords.emplace_back("keepalives", "1");
  keywords.emplace_back("keepalives_idle", "30");
  keywords.emplace_back("keepalives_interval", "10");
  keywords.emplace_back("keepalives_count", "3");
  return keywords;
}

std::string DescribeTarget(const ConnectionOptions& options) {
  return absl::StrCat(options.host.empty() ? "(default host)" : options.host, ":", options.port,
                      " database ", options.dbname.empty() ? "(default)" : options.dbname,
                      " as user ", options.user.empty() ? "(default)" : options.user);
}

}  // namespace backoffice::pg
