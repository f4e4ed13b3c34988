#include "services/audit/audit_service.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/errors/error_details.h"
#include "libs/ids/uuid.h"
#include "libs/server/grpc_status.h"
#include "libs/server/request_context.h"
#include "services/audit/event_mapping.h"
#include "services/audit/export_writer.h"
#include "services/audit/store/canonical_json.h"
#include "services/audit/store/event_validation.h"

namespace backoffice::audit {
namespace {

constexpr char kDomain[] = "audit";
constexpr int32_t kDefaultPageSize = 50;

v1::AppendStatus AppendStatusToProto(AppendStatus status) {
  switch (status) {
    case AppendStatus::kAccepted:
      return v1::APPEND_STATUS_ACCEPTED;
    case AppendStatus::kDuplicate:
      return v1::APPEND_STATUS_DUPLICATE;
    case AppendStatus::kConflict:
      return v1::APPEND_STATUS_CONFLICT;
  }
  return v1::APPEND_STATUS_UNSPECIFIED;
}

absl::StatusOr<PageSpec> PageFromProto(const common::v1::PageRequest& page) {
  PageSpec spec;
  if (page.page_size() < 0) {
    return absl::InvalidArgumentError("page.page_size: must not be negative");
  }
  spec.size = page.page_size() == 0 ? kDefaultPageSize : std::min(page.page_size(), kMaxPageSize);
  spec.token = page.page_token();
  spec.offset = page.offset();
  switch (page.total_count_mode()) {
    case common::v1::TOTAL_COUNT_MODE_NONE:
      spec.total = TotalMode::kNone;
      break;
    case common::v1::TOTAL_COUNT_MODE_ESTIMATE:
      spec.total = TotalMode::kEstimate;
      break;
    case common::v1::TOTAL_COUNT_MODE_EXACT:
      spec.total = TotalMode::kExact;
      break;
    default:
      spec.total = TotalMode::kDefault;
  }
  return spec;
}

}  // namespace

grpc::Status AuditServiceImpl::Handle(grpc::ServerContext& context,
                                      const std::function<absl::Status(const CallScope&)>& body) {
  std::string request_id = server::RequestIdOf(context);
  absl::StatusOr<CallScope> call = deps_.guard.Admit(context);
  if (!call.ok()) return server::ToGrpcStatus(call.status(), kDomain, request_id);
  return server::ToGrpcStatus(body(*call), kDomain, request_id);
}

absl::StatusOr<std::string> AuditServiceImpl::RequireService(const CallScope& call) const {
  if (call.caller.kind != auth::Caller::Kind::kService ||
      call.caller.issuer != deps_.service_issuer ||
      !absl::StartsWith(call.caller.id, auth::kServiceSubjectPrefix)) {
    return errors::WithErrorReason(
        absl::PermissionDeniedError("AppendEvents takes service-account tokens only"),
        "SERVICE_ACCOUNT_REQUIRED");
  }
  return call.caller.id.substr(sizeof(auth::kServiceSubjectPrefix) - 1);
}

grpc::Status AuditServiceImpl::AppendEvents(grpc::ServerContext* context,
                                            const v1::AppendEventsRequest* request,
                                            v1::AppendEventsResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    absl::StatusOr<std::string> service = RequireService(call);
    if (!service.ok()) return service.status();
    if (request->events_size() < 1 || request->events_size() > kMaxAppendBatch) {
      return absl::InvalidArgumentError("events: 1 to 500 events");
    }
    absl::Time now = absl::Now();
    std::vector<Event> events;
    events.reserve(request->events_size());
    for (int i = 0; i < request->events_size(); ++i) {
      std::string prefix = absl::StrCat("events[", i, "]");
      absl::StatusOr<Event> event = EventFromProto(request->events(i), prefix);
      if (!event.ok()) return event.status();
      if (absl::Status s = NormalizeEvent(*event, prefix, now); !s.ok()) return s;
      if (event->service != *service) {
        return errors::WithErrorReason(
            absl::PermissionDeniedError(
                absl::StrCat(prefix, ".service: a service account may append only its own events (",
                             *service, ")")),
            "SERVICE_MISMATCH");
      }
      events.push_back(*std::move(event));
    }
    absl::StatusOr<std::vector<AppendResult>> results = deps_.store.Append(std::move(events), now);
    if (!results.ok()) return results.status();
    for (const AppendResult& result : *results) {
      v1::AppendResult* out = response->add_results();
      out->set_event_id(result.event_id);
      out->set_status(AppendStatusToProto(result.status));
      out->set_sequence(result.sequence);
    }
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::GetEvent(grpc::ServerContext* context,
                                        const v1::GetEventRequest* request,
                                        v1::AuditEvent* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.permissions.Require(call, kPermAuditRead); !s.ok()) return s;
    absl::StatusOr<Event> event;
    switch (request->key_case()) {
      case v1::GetEventRequest::kId: {
        absl::StatusOr<ids::Uuid> id = ids::ParseUuid(request->id());
        if (!id.ok()) return absl::InvalidArgumentError("id: must be a UUID");
        event = deps_.store.GetById(id->ToString());
        break;
      }
      case v1::GetEventRequest::kSequence:
        if (request->sequence() < 1) return absl::InvalidArgumentError("sequence: must be >= 1");
        event = deps_.store.GetBySequence(request->sequence());
        break;
      default:
        return absl::InvalidArgumentError("key: set id or sequence");
    }
    if (!event.ok()) return event.status();
    return EventToProto(*event, response);
  });
}

grpc::Status AuditServiceImpl::QueryEvents(grpc::ServerContext* context,
                                           const v1::QueryEventsRequest* request,
                                           v1::QueryEventsResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.permissions.Require(call, kPermAuditRead); !s.ok()) return s;
    absl::StatusOr<EventFilter> filter = FilterFromProto(request->filter());
    if (!filter.ok()) return filter.status();
    absl::StatusOr<PageSpec> page = PageFromProto(request->page());
    if (!page.ok()) return page.status();
    QuerySpec spec{.filter = *std::move(filter),
                   .descending = request->time_order() != common::v1::SORT_DIRECTION_ASC};
    absl::StatusOr<QueryPage> result = deps_.store.Query(spec, *page, absl::Now());
    if (!result.ok()) return result.status();
    for (const Event& event : result->events) {
      if (absl::Status s = EventToProto(event, response->add_events()); !s.ok()) return s;
    }
    common::v1::PageInfo* info = response->mutable_page_info();
    info->set_next_page_token(result->next_page_token);
    info->set_total_size(result->total_size);
    info->set_total_is_estimate(result->total_is_estimate);
    return absl::OkStatus();
  });
}

absl::Status AuditServiceImpl::RecordExport(const CallScope& call,
                                            const v1::ExportEventsRequest& request) {
  std::string filter_json;
  google::protobuf::util::JsonPrintOptions options;
  if (!google::protobuf::util::MessageToJsonString(request, &filter_json, options).ok()) {
    return absl::InternalError("export request does not convert to JSON");
  }
  Event event;
  event.id = ids::NewUuidV7().ToString();
  event.event_time = absl::Now();
  event.actor_type = call.caller.KindName();
  event.actor_id = call.caller.id;
  event.client_ip = call.peer.substr(0, 64);
  event.action = "audit.export.create";
  event.resource_type = "audit.Export";
  event.service = "audit";
  event.request_id = call.request_id.substr(0, 128);
  event.trace_id = call.trace_id;
  event.outcome = kOutcomeSuccess;
  event.message = "audit log exported";
  event.metadata = std::string("{}");
  absl::StatusOr<std::string> request_json =
      CanonicalJson(std::string_view(filter_json.empty() ? "{}" : filter_json), "export");
  if (request_json.ok()) event.metadata = absl::StrCat("{\"request\":", *request_json, "}");
  if (absl::Status s = NormalizeEvent(event, "export", absl::Now()); !s.ok()) return s;
  absl::StatusOr<std::vector<AppendResult>> appended = deps_.store.Append({event}, absl::Now());
  return appended.status();
}

grpc::Status AuditServiceImpl::ExportEvents(grpc::ServerContext* context,
                                            const v1::ExportEventsRequest* request,
                                            grpc::ServerWriter<v1::ExportEventsResponse>* writer) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.permissions.Require(call, kPermAuditExport); !s.ok()) return s;
    absl::StatusOr<EventFilter> filter = FilterFromProto(request->filter());
    if (!filter.ok()) return filter.status();
    if (request->format() != v1::EXPORT_FORMAT_UNSPECIFIED &&
        request->format() != v1::EXPORT_FORMAT_CSV &&
        request->format() != v1::EXPORT_FORMAT_NDJSON) {
      return absl::InvalidArgumentError("format: unknown export format");
    }
    QuerySpec spec{.filter = *std::move(filter),
                   .descending = request->time_order() == common::v1::SORT_DIRECTION_DESC};
    if (absl::Status s = RecordExport(call, *request); !s.ok()) return s;
    ExportWriter out(request->format());
    auto send = [&](std::string chunk) -> absl::Status {
      if (chunk.empty()) return absl::OkStatus();
      if (context->IsCancelled()) return absl::CancelledError("the client cancelled the export");
      v1::ExportEventsResponse response;
      response.set_data(std::move(chunk));
      response.set_events_written(out.events_taken());
      if (!writer->Write(response)) return absl::CancelledError("the client went away");
      return absl::OkStatus();
    };
    absl::Status status =
        deps_.store.Export(spec, kMaxExportEvents, [&](const Event& event) -> absl::Status {
          if (absl::Status s = out.Add(event); !s.ok()) return s;
          if (out.ready()) return send(out.TakeChunk());
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    return send(out.TakeChunk());
  });
}

grpc::Status AuditServiceImpl::VerifyChain(grpc::ServerContext* context,
                                           const v1::VerifyChainRequest* request,
                                           v1::VerifyChainResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.permissions.Require(call, kPermAuditRead); !s.ok()) return s;
    absl::StatusOr<VerifyResult> result =
        deps_.store.Verify(request->start_sequence(), request->end_sequence());
    if (!result.ok()) return result.status();
    response->set_intact(result->intact);
    response->set_start_sequence(result->start_sequence);
    response->set_end_sequence(result->end_sequence);
    response->set_verified_count(result->verified_count);
    response->set_first_broken_sequence(result->first_broken_sequence);
    response->set_reason(result->reason);
    response->set_expected_hash(result->expected_hash);
    response->set_stored_hash(result->stored_hash);
    if (result->retention_boundary.has_value()) {
      RetentionBoundaryToProto(*result->retention_boundary,
                               *response->mutable_retention_boundary());
    }
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::GetCheckpoint(grpc::ServerContext* context,
                                             const v1::GetCheckpointRequest* request,
                                             v1::Checkpoint* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.permissions.Require(call, kPermAuditRead); !s.ok()) return s;
    absl::StatusOr<ChainHead> head = deps_.store.Head();
    if (!head.ok()) return head.status();
    if (head->sequence == 0) return absl::FailedPreconditionError("the audit log is empty");
    absl::StatusOr<SignedCheckpoint> signed_head = deps_.signer.Sign(*head, absl::Now());
    if (!signed_head.ok()) return signed_head.status();
    response->set_sequence(signed_head->sequence);
    response->set_hash(signed_head->hash);
    response->mutable_sign_time()->set_seconds(absl::ToUnixSeconds(signed_head->sign_time));
    response->set_signature(signed_head->signature);
    response->set_key_id(signed_head->key_id);
    response->set_public_key(signed_head->public_key);
    return absl::OkStatus();
  });
}

}  // namespace backoffice::audit
