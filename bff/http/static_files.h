#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bff/http/http_request.h"
#include "bff/http/http_response.h"

namespace backoffice::bff::http {

/// Serves the built SPA from one folder: exact files with their content type, `index.html` for
/// client-side routes (paths whose last segment has no '.'), `Cache-Control: public,
/// max-age=31536000, immutable` for hashed assets (`index-BXnmO6wk.js`, `main.3f2a1b9c.css`) and
/// `no-cache` for everything else, ETag and Last-Modified with 304 answers. Refuses `..`, `.`,
/// empty and hidden segments (also percent-encoded), encoded '/' or '\', and any file whose real
/// path (after symlinks) leaves the folder.
class StaticFiles {
 public:
  /// `root` may be missing; then nothing is served (every lookup misses).
  explicit StaticFiles(std::string root);

  /// The answer for a GET or HEAD, or nullopt when there is no such file (→ 404).
  std::optional<HttpResponse> Serve(const HttpRequest& request) const;

  /// True when the folder existed at start.
  bool enabled() const { return !root_.empty(); }

  /// Whether a file name looks content-hashed (exposed for tests).
  static bool IsHashedAsset(std::string_view file_name);

  /// The Content-Type for a file name by extension.
  static std::string_view ContentTypeFor(std::string_view file_name);

 private:
  std::optional<HttpResponse> ServeFile(const HttpRequest& request,
                                        const std::string& relative) const;

  std::string root_;  // realpath of the folder, "" when missing
};

}  // namespace backoffice::bff::http
