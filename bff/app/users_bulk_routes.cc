// CSV import (client stream) and export (server stream) over ServiceClient::Unary: each stream
// is one type-erased attempt, so it gets the same deadline, metadata, metrics and cancellation
// as unary calls.
#include <grpcpp/support/client_callback.h>

#include <boost/asio/awaitable.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bff/app/export_download.h"
#include "bff/app/user_json.h"
#include "bff/app/users_routes.h"
#include "bff/http/json_body.h"
#include "bff/http/list_query.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;

constexpr size_t kChunkBytes = 1 << 20;  // ImportUsersRequest.csv_chunk's limit

// Writes the options and the CSV in chunks, then reads the report. Owns itself until OnDone.
class ImportReactor final : public grpc::ClientWriteReactor<users::v1::ImportUsersRequest> {
 public:
  ImportReactor(std::shared_ptr<const std::string> csv, users::v1::ImportUsersOptions options,
                users::v1::ImportUsersResponse* response, std::function<void(grpc::Status)> done)
      : csv_(std::move(csv)), response_(response), done_(std::move(done)) {
    *message_.mutable_options() = std::move(options);
  }

  void Begin(class users::v1::UsersService::Stub::async* stub, grpc::ClientContext* context) {
    stub->ImportUsers(context, response_, this);
    StartWrite(&message_);
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      return;  // the stream broke; OnDone reports the status
    }
    if (offset_ < csv_->size()) {
      size_t size = std::min(kChunkBytes, csv_->size() - offset_);
      message_.set_csv_chunk(csv_->substr(offset_, size));
      offset_ += size;
      StartWrite(&message_);
    } else {
      StartWritesDone();
    }
  }

  void OnDone(const grpc::Status& status) override {
    done_(status);
    delete this;
  }

 private:
  std::shared_ptr<const std::string> csv_;
  users::v1::ImportUsersResponse* response_;
  std::function<void(grpc::Status)> done_;
  users::v1::ImportUsersRequest message_;
  size_t offset_ = 0;
};

class ImportAttempt final : public downstream::UnaryAttempt {
 public:
  ImportAttempt(class users::v1::UsersService::Stub::async* stub,
                users::v1::ImportUsersOptions options, std::string csv)
      : stub_(stub),
        options_(std::move(options)),
        csv_(std::make_shared<const std::string>(std::move(csv))) {}

  void Start(grpc::ClientContext* context, std::function<void(grpc::Status)> done) override {
    auto* reactor = new ImportReactor(csv_, options_, &response, std::move(done));
    reactor->Begin(stub_, context);
  }
  void Reset() override { response.Clear(); }

  users::v1::ImportUsersResponse response;

 private:
  class users::v1::UsersService::Stub::async* stub_;
  users::v1::ImportUsersOptions options_;
  std::shared_ptr<const std::string> csv_;
};

using ExportAttempt =
    StreamCollectAttempt<class users::v1::UsersService::Stub::async, users::v1::ExportUsersRequest,
                         users::v1::ExportUsersResponse>;

// Query parameters of an import: mode=create_only|upsert, dryRun=true|false.
absl::Status ReadImportOptions(std::string_view query, users::v1::ImportUsersOptions& options) {
  for (absl::string_view pair :
       absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first == "mode") {
      if (kv.second == "create_only") {
        options.set_mode(users::v1::IMPORT_MODE_CREATE_ONLY);
      } else if (kv.second == "upsert") {
        options.set_mode(users::v1::IMPORT_MODE_UPSERT);
      } else {
        return http::WithFieldErrors(
            absl::InvalidArgumentError("mode: must be create_only or upsert"),
            {{"mode", "must be create_only or upsert"}});
      }
    } else if (kv.first == "dryRun") {
      if (kv.second != "true" && kv.second != "false") {
        return http::WithFieldErrors(absl::InvalidArgumentError("dryRun: must be true or false"),
                                     {{"dryRun", "must be true or false"}});
      }
      options.set_dry_run(kv.second == "true");
    } else {
      std::string name(kv.first);
      return http::WithFieldErrors(
          absl::InvalidArgumentError(absl::StrCat(name, ": unknown parameter")),
          {{name, "unknown parameter; imports take mode and dryRun"}});
    }
  }
  return absl::OkStatus();
}

asio::awaitable<HttpResponse> ImportUsers(UsersApi users, HttpRequest& request) {
  std::string_view content_type = request.headers.Get("content-type");
  absl::string_view media =
      absl::StripAsciiWhitespace(absl::string_view(content_type.data(), content_type.size())
                                     .substr(0, content_type.find(';')));
  if (!absl::EqualsIgnoreCase(media, "text/csv")) {
    co_return http::ProblemResponse(
        request, http::MakeProblem(415, "Send the CSV file with Content-Type: text/csv."));
  }
  users::v1::ImportUsersOptions options;
  if (absl::Status read = ReadImportOptions(request.query, options); !read.ok()) {
    co_return http::ProblemResponse(request, read);
  }
  std::string_view key = request.headers.Get("idempotency-key");
  if (key.size() > 128) {
    co_return http::ProblemResponse(
        request, http::ValidationProblem("Idempotency-Key", "must be at most 128 bytes"));
  }
  options.set_request_id(std::string(key));
  auto attempt = std::make_shared<ImportAttempt>(users.async(), options, request.body);
  grpc::Status status =
      co_await users.client->Unary(downstream::CallMetadata::From(request), "ImportUsers",
                                   {.deadline = absl::Seconds(120)}, attempt);
  // Even after an error: part of the file may have been imported (or existing accounts updated).
  if (users.cache != nullptr) users.cache->ChangedAll();
  if (!status.ok()) {
    co_return http::ProblemResponse(request, downstream::FromGrpcStatus(status));
  }
  co_return http::JsonResponse(200, ImportReportToJson(attempt->response));
}

asio::awaitable<HttpResponse> ExportUsers(UsersApi users, size_t max_bytes, HttpRequest& request) {
  http::ListQuerySpec spec = UsersListSpec();
  absl::StatusOr<http::ListQuery> query = http::ParseListQuery(request.query, "", spec);
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  users::v1::ExportUsersRequest export_request;
  if (absl::Status applied = ApplyUsersFilters(*query, export_request); !applied.ok()) {
    co_return http::ProblemResponse(request, applied);
  }
  auto attempt = std::make_shared<ExportAttempt>(
      users.async(), &users::v1::UsersService::Stub::async::ExportUsers,
      &users::v1::ExportUsersResponse::csv_chunk, export_request, max_bytes);
  grpc::Status status =
      co_await users.client->Unary(downstream::CallMetadata::From(request), "ExportUsers",
                                   {.deadline = absl::Seconds(120), .idempotent = true}, attempt);
  if (!status.ok()) {
    co_return http::ProblemResponse(request, downstream::FromGrpcStatus(status));
  }
  co_return AttachmentResponse(std::move(attempt->body), "text/csv; charset=utf-8", "users", "csv");
}

}  // namespace

absl::Status AddUserBulkRoutes(http::Router& router, const UsersApi& users, size_t max_import_bytes,
                               size_t max_export_bytes) {
  if (absl::Status added = router.Add({
          .method = "POST",
          .pattern = "/api/users/import",
          .permission = "users:import",
          .handler = [users](HttpRequest& request) { return ImportUsers(users, request); },
          .max_body_bytes = max_import_bytes,
      });
      !added.ok()) {
    return added;
  }
  return router.Add({
      .method = "GET",
      .pattern = "/api/users/export",
      .permission = "users:export",
      .handler =
          [users, max_export_bytes](HttpRequest& request) {
            return ExportUsers(users, max_export_bytes, request);
          },
  });
}

}  // namespace backoffice::bff::app
