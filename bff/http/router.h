#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "bff/http/route.h"

namespace backoffice::bff::http {

/// The route table: finds the route for a method and path, or tells why there is none.
/// Built once at start-up, then read concurrently without locks.
class Router {
 public:
  /// What Find found.
  struct Match {
    /// The route, or nullptr.
    const Route* route = nullptr;
    /// Percent-decoded values of the route's `{name}` segments.
    std::vector<std::pair<std::string, std::string>> params;
    /// When no route matched the method but some matched the path: their methods (for 405's
    /// Allow and for CORS preflight). Empty when the path is unknown (404).
    std::vector<std::string> allowed_methods;
  };

  /// Adds a route. INVALID_ARGUMENT for a pattern that does not start with '/', has an empty or
  /// malformed segment, a method that is not a token, an empty permission or a missing handler;
  /// ALREADY_EXISTS when a route with the same method and an equivalent pattern exists.
  absl::Status Add(Route route);

  /// Finds the route for `method` and `path` (percent-encoded, without query). HEAD falls back to
  /// GET. A path segment that does not percent-decode never matches a `{name}` segment.
  Match Find(std::string_view method, std::string_view path) const;

  /// Every route, in the order added.
  std::vector<const Route*> routes() const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;  // "{name}" kept as written
  };
  std::vector<Entry> entries_;
};

/// Percent-decodes `text` strictly (no '+' rule); nullopt on a bad escape or a decoded NUL.
std::optional<std::string> PercentDecode(std::string_view text);

}  // namespace backoffice::bff::http
