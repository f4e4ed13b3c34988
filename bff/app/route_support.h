// Small pieces the /api route files share: list answers with their headers, If-Match, the
// problem of a conditional write, and plain (non-list) query parameters.
#pragma once

#include <boost/json/array.hpp>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bff/http/http_request.h"
#include "bff/http/http_response.h"
#include "bff/http/list_query.h"
#include "proto/common/v1/page.pb.h"

namespace backoffice::bff::app {

/// A list answer: the rows, X-Total-Count / Content-Range from the service's total (none when it
/// did not count), and X-Next-Cursor when another page follows.
http::HttpResponse ListResponse(const http::ListQuery& query, boost::json::array rows,
                                const common::v1::PageInfo& page_info);

/// The entity tag of If-Match without quotes or W/ ("" for none or "*").
std::string IfMatch(const http::HttpRequest& request);

/// The problem of a failed conditional write: a stale etag sent in If-Match is 412 (HTTP's
/// precondition); one sent in the body stays 409 (ABORTED's mapping); anything else maps as usual.
http::HttpResponse WriteProblem(const http::HttpRequest& request, const absl::Status& status,
                                bool if_match_used);

/// The query parameters of a non-list route, percent-decoded ('+' is a space), each at most once
/// and each one of `allowed`; INVALID_ARGUMENT with a field error naming the parameter otherwise.
absl::StatusOr<std::map<std::string, std::string>> ReadQueryOptions(
    std::string_view query, std::initializer_list<const char*> allowed);

/// "true" or "false" of query option `name` (absent: `fallback`); INVALID_ARGUMENT naming it.
absl::StatusOr<bool> BoolOption(const std::map<std::string, std::string>& options,
                                std::string_view name, bool fallback);

}  // namespace backoffice::bff::app
