#include "bff/app/export_download.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace backoffice::bff::app {

grpc::Status ExportTooLargeStatus() {
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      "the export is larger than this endpoint answers; narrow the filters");
}

http::HttpResponse AttachmentResponse(std::string body, const std::string& content_type,
                                      const std::string& prefix, const std::string& extension) {
  http::HttpResponse response;
  response.status = 200;
  response.headers.Set("Content-Type", content_type);
  response.headers.Set(
      "Content-Disposition",
      absl::StrCat("attachment; filename=\"", prefix, "-",
                   absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()), ".",
                   extension, "\""));
  response.body = std::move(body);
  return response;
}

}  // namespace backoffice::bff::app
