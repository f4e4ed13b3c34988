// Small pieces the /api route files share: the route table, list answers with their headers,
// If-Match, the steps of PUT/PATCH, the problem of a conditional write, and plain (non-list)
// query parameters.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bff/http/http_request.h"
#include "bff/http/http_response.h"
#include "bff/http/list_query.h"
#include "bff/http/problem.h"
#include "bff/http/router.h"
#include "google/protobuf/field_mask.pb.h"
#include "proto/common/v1/page.pb.h"

namespace backoffice::bff::app {

/// One row of a route file's table: a handler that takes the file's clients (`Api`) by value.
template <typename Api>
struct RouteEntry {
  const char* method;
  const char* pattern;
  const char* permission;
  boost::asio::awaitable<http::HttpResponse> (*handler)(Api, http::HttpRequest&);
  bool login = false;
};

/// An Api whose service's data this BFF caches: `api.Changed(request)` drops what an unsafe
/// request may have changed.
template <typename Api>
concept CachingApi = requires(const Api& api, const http::HttpRequest& request) {
  api.Changed(request);
};

/// Runs `handler`, then tells `api` what the request may have changed (whatever the outcome: a
/// failed or timed-out write may still have committed).
template <typename Api>
boost::asio::awaitable<http::HttpResponse> HandleThenChanged(
    Api api, boost::asio::awaitable<http::HttpResponse> (*handler)(Api, http::HttpRequest&),
    http::HttpRequest& request) {
  http::HttpResponse response = co_await handler(api, request);
  api.Changed(request);
  co_return response;
}

/// Declares every row of `table`, each handler bound to a copy of `api` (the route table keeps
/// it for the life of the process). For a CachingApi, unsafe methods drop what they touched
/// before the answer goes out.
template <typename Api, size_t N>
absl::Status AddRouteTable(http::Router& router, const Api& api,
                           const RouteEntry<Api> (&table)[N]) {
  for (const RouteEntry<Api>& entry : table) {
    auto handler = entry.handler;
    http::Handler bound = [api, handler](http::HttpRequest& request) {
      return handler(api, request);
    };
    if constexpr (CachingApi<Api>) {
      if (std::string_view(entry.method) != "GET") {
        bound = [api, handler](http::HttpRequest& request) {
          return HandleThenChanged(api, handler, request);
        };
      }
    }
    absl::Status added = router.Add({
        .method = entry.method,
        .pattern = entry.pattern,
        .permission = entry.permission,
        .handler = std::move(bound),
        .login = entry.login,
    });
    if (!added.ok()) return added;
  }
  return absl::OkStatus();
}

/// A list answer: the rows, X-Total-Count / Content-Range from the service's total (none when it
/// did not count), and X-Next-Cursor when another page follows.
http::HttpResponse ListResponse(const http::ListQuery& query, boost::json::array rows,
                                const common::v1::PageInfo& page_info);
/// The same with the rows already serialized as a JSON array of `count` records.
http::HttpResponse ListResponse(const http::ListQuery& query, std::string rows_json, size_t count,
                                const common::v1::PageInfo& page_info);

/// One record as JSON with `status`, and its `ETag` header when `etag` is not empty (the version
/// that If-Match or a body `etag` names on the next write).
http::HttpResponse RecordResponse(int status, const boost::json::object& record,
                                  std::string_view etag);
/// The same with the record already serialized.
http::HttpResponse RecordResponse(int status, std::string record_json, std::string_view etag);

/// The entity tag of If-Match without quotes or W/ ("" for none or "*").
std::string IfMatch(const http::HttpRequest& request);

/// PUT/PATCH: a body `id`, when present, must be the URL's; a validation problem otherwise.
std::optional<http::Problem> BodyIdProblem(const boost::json::object& body, std::string_view id);

/// PUT and PATCH: the update mask is the members the body set (`paths`; a member sent as null is
/// cleared, an absent one kept); a body that sets none is a 400 problem. PUT is not a
/// replacement: react-admin's bulk update PUTs only the members it changes.
std::optional<http::Problem> FillUpdateMask(const std::vector<std::string>& paths,
                                            google::protobuf::FieldMask& mask);

/// The etag a write is conditional on: If-Match, else the body's `etag` or `version` member.
struct WriteCondition {
  std::string etag;
  /// Whether it came from If-Match (a stale one is then 412, see WriteProblem).
  bool if_match = false;
};
WriteCondition WriteConditionOf(const http::HttpRequest& request, const boost::json::object& body);

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
