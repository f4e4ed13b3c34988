// File downloads built from a server-streaming export: the BFF core answers whole bodies, so an
// export stream is collected into one string, bounded, and answered as an attachment. Used by
// GET /api/users/export (CSV) and GET /api/audit/export (CSV or NDJSON).
//
//   auto attempt = std::make_shared<StreamCollectAttempt<UsersStub::async, ExportUsersRequest,
//                                                        ExportUsersResponse>>(
//       users.async(), &UsersStub::async::ExportUsers, &ExportUsersResponse::csv_chunk,
//       export_request, max_bytes);
//   grpc::Status status = co_await users.client->Unary(metadata, "ExportUsers", options, attempt);
//   if (status.ok()) co_return AttachmentResponse(std::move(attempt->body), "text/csv; ...",
//                                                 "users", "csv");
#pragma once

#include <grpcpp/support/client_callback.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "bff/downstream/service_client.h"
#include "bff/http/http_response.h"

namespace backoffice::bff::app {

/// The status of an export larger than the endpoint collects (FAILED_PRECONDITION → 409).
grpc::Status ExportTooLargeStatus();

/// A 200 answer carrying `body` as a download: `Content-Type: content_type` and
/// `Content-Disposition: attachment; filename="<prefix>-<UTC time>.<extension>"`.
http::HttpResponse AttachmentResponse(std::string body, const std::string& content_type,
                                      const std::string& prefix, const std::string& extension);

/// One attempt of a server-streaming call whose chunks are appended to `body`, at most
/// `max_bytes` (then the call is cancelled and ends with ExportTooLargeStatus()). Runs through
/// ServiceClient::Unary, so it gets the deadline, metadata, metrics and cancellation of unary
/// calls; a retry starts over with an empty body.
template <typename AsyncStub, typename Request, typename Chunk>
class StreamCollectAttempt final : public downstream::UnaryAttempt {
 public:
  using StartMethod = void (AsyncStub::*)(grpc::ClientContext*, const Request*,
                                          grpc::ClientReadReactor<Chunk>*);
  using BytesOf = const std::string& (Chunk::*)() const;

  StreamCollectAttempt(AsyncStub* stub, StartMethod method, BytesOf bytes, Request request,
                       size_t max_bytes)
      : stub_(stub),
        method_(method),
        bytes_(bytes),
        request_(std::move(request)),
        max_bytes_(max_bytes) {}

  void Start(grpc::ClientContext* context, std::function<void(grpc::Status)> done) override {
    auto* reactor = new Reactor(this, context, std::move(done));
    (stub_->*method_)(context, &request_, reactor);
    reactor->Begin();
  }
  void Reset() override { body.clear(); }

  /// Everything collected (valid once the call ended OK).
  std::string body;

 private:
  // Reads every chunk into the attempt's body. Owns itself until OnDone.
  class Reactor final : public grpc::ClientReadReactor<Chunk> {
   public:
    Reactor(StreamCollectAttempt* attempt, grpc::ClientContext* context,
            std::function<void(grpc::Status)> done)
        : attempt_(attempt), context_(context), done_(std::move(done)) {}

    void Begin() {
      this->StartRead(&chunk_);
      this->StartCall();
    }

    void OnReadDone(bool ok) override {
      if (!ok) {
        return;  // end of stream or a broken one; OnDone reports the status
      }
      const std::string& bytes = (chunk_.*(attempt_->bytes_))();
      if (attempt_->body.size() + bytes.size() > attempt_->max_bytes_) {
        too_big_ = true;
        context_->TryCancel();
        return;
      }
      attempt_->body.append(bytes);
      this->StartRead(&chunk_);
    }

    void OnDone(const grpc::Status& status) override {
      done_(too_big_ ? ExportTooLargeStatus() : status);
      delete this;
    }

   private:
    StreamCollectAttempt* attempt_;
    grpc::ClientContext* context_;
    std::function<void(grpc::Status)> done_;
    Chunk chunk_;
    bool too_big_ = false;
  };

  AsyncStub* stub_;
  StartMethod method_;
  BytesOf bytes_;
  Request request_;
  size_t max_bytes_;
};

}  // namespace backoffice::bff::app
