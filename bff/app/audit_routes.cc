#include "bff/app/audit_routes.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "bff/app/audit_json.h"
#include "bff/app/export_download.h"
#include "bff/app/route_support.h"
#include "bff/http/json_body.h"
#include "bff/http/list_query.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using AuditStub = audit::v1::AuditService::Stub;
using ExportAttempt = StreamCollectAttempt<class AuditStub::async, audit::v1::ExportEventsRequest,
                                           audit::v1::ExportEventsResponse>;

// What the handlers need: the audit service and the largest export they collect.
struct Api {
  AuditApi audit;
  size_t max_export_bytes = 0;
};

// Verification walks up to 1,000,000 events; exports stream up to the byte limit.
constexpr absl::Duration kVerifyDeadline = absl::Seconds(60);
constexpr absl::Duration kExportDeadline = absl::Seconds(120);

asio::awaitable<HttpResponse> ListEvents(Api api, HttpRequest& request) {
  absl::StatusOr<http::ListQuery> query =
      http::ParseListQuery(request.query, request.headers.Get("range"), AuditListSpec());
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  audit::v1::QueryEventsRequest list;
  if (absl::Status applied = ApplyAuditQuery(*query, list); !applied.ok()) {
    co_return http::ProblemResponse(request, applied);
  }
  absl::StatusOr<audit::v1::QueryEventsResponse> page =
      co_await api.audit.client->Call(request, "QueryEvents", &AuditStub::async::QueryEvents,
                                      api.audit.async(), list, {.idempotent = true});
  if (!page.ok()) {
    co_return http::ProblemResponse(request, page.status());
  }
  json::array rows;
  for (const audit::v1::AuditEvent& event : page->events()) {
    rows.push_back(AuditEventToJson(event));
  }
  co_return ListResponse(*query, std::move(rows), page->page_info());
}

asio::awaitable<HttpResponse> GetEvent(Api api, HttpRequest& request) {
  std::string key(request.PathParam("id"));
  audit::v1::GetEventRequest get;
  // Event ids are UUIDs; a plain number is a chain sequence.
  if (int64_t sequence = 0; !key.empty() && absl::c_all_of(key, absl::ascii_isdigit) &&
                            absl::SimpleAtoi(key, &sequence)) {
    get.set_sequence(sequence);
  } else {
    get.set_id(key);
  }
  absl::StatusOr<audit::v1::AuditEvent> event =
      co_await api.audit.client->Call(request, "GetEvent", &AuditStub::async::GetEvent,
                                      api.audit.async(), get, {.idempotent = true});
  if (!event.ok()) {
    co_return http::ProblemResponse(request, event.status());
  }
  co_return http::JsonResponse(200, AuditEventToJson(*event));
}

asio::awaitable<HttpResponse> ExportEvents(Api api, HttpRequest& request) {
  std::string rest;
  absl::StatusOr<audit::v1::ExportFormat> format = TakeExportFormat(request.query, rest);
  if (!format.ok()) {
    co_return http::ProblemResponse(request, format.status());
  }
  absl::StatusOr<http::ListQuery> query = http::ParseListQuery(rest, "", AuditListSpec());
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  audit::v1::ExportEventsRequest export_request;
  export_request.set_format(*format);
  if (absl::Status applied = ApplyAuditExport(*query, export_request); !applied.ok()) {
    co_return http::ProblemResponse(request, applied);
  }
  auto attempt = std::make_shared<ExportAttempt>(api.audit.async(), &AuditStub::async::ExportEvents,
                                                 &audit::v1::ExportEventsResponse::data,
                                                 export_request, api.max_export_bytes);
  // Not retried: every export appends its own audit event.
  grpc::Status status =
      co_await api.audit.client->Unary(downstream::CallMetadata::From(request), "ExportEvents",
                                       {.deadline = kExportDeadline}, attempt);
  if (!status.ok()) {
    co_return http::ProblemResponse(request, downstream::FromGrpcStatus(status));
  }
  if (*format == audit::v1::EXPORT_FORMAT_NDJSON) {
    co_return AttachmentResponse(std::move(attempt->body), "application/x-ndjson", "audit",
                                 "ndjson");
  }
  co_return AttachmentResponse(std::move(attempt->body), "text/csv; charset=utf-8", "audit", "csv");
}

asio::awaitable<HttpResponse> Verify(Api api, const audit::v1::VerifyChainRequest& verify,
                                     HttpRequest& request) {
  absl::StatusOr<audit::v1::VerifyChainResponse> result = co_await api.audit.client->Call(
      request, "VerifyChain", &AuditStub::async::VerifyChain, api.audit.async(), verify,
      {.deadline = kVerifyDeadline, .idempotent = true});
  if (!result.ok()) {
    co_return http::ProblemResponse(request, result.status());
  }
  co_return http::JsonResponse(200, VerifyResultToJson(*result));
}

asio::awaitable<HttpResponse> VerifyByQuery(Api api, HttpRequest& request) {
  audit::v1::VerifyChainRequest verify;
  if (absl::Status read = VerifyRangeFromQuery(request.query, verify); !read.ok()) {
    co_return http::ProblemResponse(request, read);
  }
  co_return co_await Verify(api, verify, request);
}

asio::awaitable<HttpResponse> VerifyByBody(Api api, HttpRequest& request) {
  audit::v1::VerifyChainRequest verify;
  if (absl::Status read = VerifyRangeFromQuery(request.query, verify); !read.ok()) {
    co_return http::ProblemResponse(request, read);
  }
  // An empty body verifies the whole chain (or the query's range).
  if (!absl::StripAsciiWhitespace(request.body).empty()) {
    absl::StatusOr<json::object> body = http::ReadJsonObject(request, VerifyBodySchema());
    if (!body.ok()) {
      co_return http::ProblemResponse(request, body.status());
    }
    if (absl::Status read = VerifyRangeFromBody(*body, verify); !read.ok()) {
      co_return http::ProblemResponse(request, read);
    }
  }
  co_return co_await Verify(api, verify, request);
}

asio::awaitable<HttpResponse> GetCheckpoint(Api api, HttpRequest& request) {
  if (absl::StatusOr<std::map<std::string, std::string>> options =
          ReadQueryOptions(request.query, {});
      !options.ok()) {
    co_return http::ProblemResponse(request, options.status());
  }
  audit::v1::GetCheckpointRequest get;
  absl::StatusOr<audit::v1::Checkpoint> checkpoint =
      co_await api.audit.client->Call(request, "GetCheckpoint", &AuditStub::async::GetCheckpoint,
                                      api.audit.async(), get, {.idempotent = true});
  if (!checkpoint.ok()) {
    co_return http::ProblemResponse(request, checkpoint.status());
  }
  co_return http::JsonResponse(200, CheckpointToJson(*checkpoint));
}

}  // namespace

absl::Status AddAuditRoutes(http::Router& router, const AuditApi& audit, size_t max_export_bytes) {
  // GetCheckpoint needs audit:read in the audit service (proto/audit/v1/audit.proto).
  static const RouteEntry<Api> kRoutes[] = {
      {"GET", "/api/audit", "audit:read", &ListEvents},
      {"GET", "/api/audit/export", "audit:export", &ExportEvents},
      {"GET", "/api/audit/verify", "audit:read", &VerifyByQuery},
      {"POST", "/api/audit/verify", "audit:read", &VerifyByBody},
      {"GET", "/api/audit/checkpoint", "audit:read", &GetCheckpoint},
      {"GET", "/api/audit/{id}", "audit:read", &GetEvent},
  };
  Api api{.audit = audit, .max_export_bytes = max_export_bytes};
  return AddRouteTable(router, api, kRoutes);
}

}  // namespace backoffice::bff::app
