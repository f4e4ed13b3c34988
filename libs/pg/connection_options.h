// Where and how to connect to PostgreSQL, and its translation to libpq keyword/value pairs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace backoffice::pg {

/// Connection settings. Passed to libpq as keyword/value pairs (PQconnectdbParams), so no value is
/// ever spliced into a connection string.
struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 5432;
  std::string dbname;
  std::string user;
  std::string password;
  std::string application_name;
  /// If set, every session runs with `SET search_path = <search_path>` (sent as a startup option).
  std::string search_path;
  /// libpq counts whole seconds; a partial second rounds up (libpq treats 1 s as 2 s).
  absl::Duration connect_timeout = absl::Seconds(5);
};

/// libpq keyword/value pairs for `options`, in the order libpq should see them. Empty settings are
/// left out so libpq's own defaults (and environment) apply. Sessions always use UTC and ISO dates,
/// which the Result parser relies on.
std::vector<std::pair<std::string, std::string>> ToLibpqKeywords(const ConnectionOptions& options);

/// "127.0.0.1:5433 database x as user y": where a connection goes, for error messages. Never
/// contains the password.
std::string DescribeTarget(const ConnectionOptions& options);

}  // namespace backoffice::pg
