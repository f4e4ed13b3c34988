#include "libs/outbox/audit_sink.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "proto/audit/v1/audit.grpc.pb.h"

namespace backoffice::outbox {
namespace {

namespace audit = backoffice::audit::v1;
namespace common = backoffice::common::v1;

bool IsTraceId(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// JSON text -> Struct; a JSON value that is not an object becomes {"value": <it>}.
absl::Status JsonToStruct(const std::string& json, google::protobuf::Struct* out) {
  google::protobuf::Value value;
  if (!google::protobuf::util::JsonStringToMessage(json, &value).ok()) {
    return absl::InvalidArgumentError("not valid JSON");
  }
  if (value.has_struct_value()) {
    *out = value.struct_value();
  } else {
    (*out->mutable_fields())["value"] = value;
  }
  return absl::OkStatus();
}

absl::StatusOr<audit::AuditEvent> ToAuditEvent(const OutboxRow& row, const std::string& service) {
  audit::AuditEvent event;
  event.set_id(row.id);
  int64_t micros = absl::ToUnixMicros(row.occurred_at);
  event.mutable_event_time()->set_seconds(micros / 1'000'000);
  event.mutable_event_time()->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
  common::Actor* actor = event.mutable_actor();
  actor->set_type(row.actor_type == "user"      ? common::ACTOR_TYPE_USER
                  : row.actor_type == "service" ? common::ACTOR_TYPE_SERVICE_ACCOUNT
                                                : common::ACTOR_TYPE_SYSTEM);
  actor->set_id(row.actor_id);
  event.set_action(absl::StrCat(service, ".", row.event_type));
  event.set_resource_type(absl::StrCat(service, ".", row.aggregate_type));
  event.set_resource_id(row.aggregate_id);
  event.set_service(service);
  event.set_request_id(row.request_id);
  if (IsTraceId(row.trace_id)) event.set_trace_id(row.trace_id);
  event.set_outcome(audit::OUTCOME_SUCCESS);
  if (row.before.has_value()) {
    if (absl::Status s = JsonToStruct(*row.before, event.mutable_before()); !s.ok()) return s;
  }
  if (row.after.has_value()) {
    if (absl::Status s = JsonToStruct(*row.after, event.mutable_after()); !s.ok()) return s;
  }
  if (absl::Status s = JsonToStruct(row.metadata, event.mutable_metadata()); !s.ok()) return s;
  return event;
}

class AuditSink final : public EventSink {
 public:
  AuditSink(std::shared_ptr<grpc::Channel> channel, auth::ServiceTokenSource& tokens,
            std::string service)
      : stub_(audit::AuditService::NewStub(std::move(channel))),
        tokens_(tokens),
        service_(std::move(service)) {}

  absl::StatusOr<std::vector<DeliveryResult>> Deliver(const std::vector<OutboxRow>& rows) override {
    std::vector<DeliveryResult> results(rows.size());
    std::vector<size_t> sendable;
    audit::AppendEventsRequest request;
    for (size_t i = 0; i < rows.size(); ++i) {
      absl::StatusOr<audit::AuditEvent> event = ToAuditEvent(rows[i], service_);
      if (!event.ok()) {
        results[i] = {DeliveryResult::Kind::kRejected,
                      absl::StrCat("not mappable: ", event.status().message())};
        continue;
      }
      *request.add_events() = *std::move(event);
      sendable.push_back(i);
    }
    if (sendable.empty()) return results;
    grpc::Status status = Send(request, sendable, results);
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT && sendable.size() > 1) {
      // Find the refused ones: the rest go through one by one.
      for (int j = 0; j < request.events_size(); ++j) {
        audit::AppendEventsRequest single;
        *single.add_events() = request.events(j);
        grpc::Status one = Send(single, {sendable[j]}, results);
        if (one.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
          results[sendable[j]] = {DeliveryResult::Kind::kRejected, one.error_message()};
        } else if (!one.ok()) {
          return absl::UnavailableError(absl::StrCat("AppendEvents: ", one.error_message()));
        }
      }
      return results;
    }
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      results[sendable[0]] = {DeliveryResult::Kind::kRejected, status.error_message()};
      return results;
    }
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("AppendEvents: ", status.error_message()));
    }
    return results;
  }

 private:
  grpc::Status Send(const audit::AppendEventsRequest& request, const std::vector<size_t>& indexes,
                    std::vector<DeliveryResult>& results) {
    absl::StatusOr<std::string> token = tokens_.Token(absl::Now());
    if (!token.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(token.status().message()));
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
    audit::AppendEventsResponse response;
    grpc::Status status = stub_->AppendEvents(&context, request, &response);
    if (!status.ok()) return status;
    if (response.results_size() != static_cast<int>(indexes.size())) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "AppendEvents: wrong number of results");
    }
    for (size_t j = 0; j < indexes.size(); ++j) {
      const audit::AppendResult& result = response.results(static_cast<int>(j));
      if (result.status() == audit::APPEND_STATUS_CONFLICT) {
        results[indexes[j]] = {DeliveryResult::Kind::kDeliveredWithRemark,
                               absl::StrCat("audit CONFLICT: sequence ", result.sequence(),
                                            " holds other content under this id")};
      } else {
        results[indexes[j]] = {DeliveryResult::Kind::kDelivered, ""};
      }
    }
    return status;
  }

  std::unique_ptr<audit::AuditService::Stub> stub_;
  auth::ServiceTokenSource& tokens_;
  std::string service_;
};

}  // namespace

EventSinkPtr MakeAuditSink(std::shared_ptr<grpc::Channel> channel, auth::ServiceTokenSource& tokens,
                           std::string service) {
  return std::make_unique<AuditSink>(std::move(channel), tokens, std::move(service));
}

}  // namespace backoffice::outbox
