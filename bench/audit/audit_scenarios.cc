#include "bench/audit/audit_scenarios.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "proto/audit/v1/audit.grpc.pb.h"

namespace backoffice::bench {
namespace {

namespace v1 = audit::v1;

// Model events each append thread copies from (built once: JSON to Struct is not cheap, and the
// driver shares the CPUs with the service).
constexpr int kTemplates = 256;

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

void Prepare(grpc::ClientContext& context, const AuditEnv& env, const std::string& token) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(env.deadline));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

std::shared_ptr<v1::AuditService::Stub> StubFor(const AuditEnv& env, int thread) {
  return v1::AuditService::NewStub(env.channels[thread % env.channels.size()]);
}

void SetTime(google::protobuf::Timestamp& out, absl::Time time) {
  const int64_t micros = absl::ToUnixMicros(time);
  out.set_seconds(micros / 1'000'000);
  out.set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
}

void SetStruct(const std::optional<std::string>& json,
               google::protobuf::Struct* (v1::AuditEvent::*field)(), v1::AuditEvent& out) {
  if (!json.has_value()) return;
  // The model writes valid JSON objects; a failure would show up as an INVALID_ARGUMENT later.
  (void)google::protobuf::util::JsonStringToMessage(*json, (out.*field)());
}

v1::Outcome OutcomeOf(const std::string& outcome) {
  if (outcome == audit::kOutcomeFailure) return v1::OUTCOME_FAILURE;
  if (outcome == audit::kOutcomeDenied) return v1::OUTCOME_DENIED;
  return v1::OUTCOME_SUCCESS;
}

bool Matches(QueryFilter kind, const v1::EventFilter& filter, const v1::AuditEvent& event) {
  switch (kind) {
    case QueryFilter::kNone:
      return true;
    case QueryFilter::kResource:
      return event.resource_type() == filter.resource_type() &&
             event.resource_id() == filter.resource_id();
    case QueryFilter::kActor:
      return event.actor().id() == filter.actor_id();
    case QueryFilter::kAction:
      return event.action() == filter.actions(0);
  }
  return false;
}

}  // namespace

v1::AuditEvent ToProto(const audit::Event& e) {
  v1::AuditEvent out;
  out.set_id(e.id);
  SetTime(*out.mutable_event_time(), e.event_time);
  common::v1::Actor& actor = *out.mutable_actor();
  actor.set_type(common::v1::ACTOR_TYPE_USER);
  actor.set_id(e.actor_id);
  actor.set_display_name(e.actor_display_name);
  actor.set_ip_address(e.client_ip);
  actor.set_user_agent(e.user_agent);
  actor.set_on_behalf_of_id(e.on_behalf_of_id);
  out.set_action(e.action);
  out.set_resource_type(e.resource_type);
  out.set_resource_id(e.resource_id);
  out.set_service(e.service);
  out.set_request_id(e.request_id);
  out.set_trace_id(e.trace_id);
  out.set_outcome(OutcomeOf(e.outcome));
  out.set_message(e.message);
  SetStruct(e.before, &v1::AuditEvent::mutable_before, out);
  SetStruct(e.after, &v1::AuditEvent::mutable_after, out);
  SetStruct(e.metadata, &v1::AuditEvent::mutable_metadata, out);
  return out;
}

CallFactory AppendCalls(const AuditEnv& env, int batch, AppendTally& tally) {
  // A random prefix in the ids' 62 random bits: runs against one database never collide.
  const uint64_t salt = (static_cast<uint64_t>(std::random_device{}()) & 0x3FFFFFFF) << 32;
  return [&env, batch, &tally, salt](int thread) -> CallFn {
    const std::string& service = ModelServices()[thread % ModelServices().size()];
    auth::ServiceTokenSource* tokens = env.service_tokens.at(service);
    auto templates = std::make_shared<std::vector<v1::AuditEvent>>();
    std::mt19937_64 random(static_cast<uint64_t>(thread) * 7919 + 1);
    for (int k = 0; k < kTemplates; ++k) {
      templates->push_back(ToProto(
          ModelEvent(static_cast<int64_t>(random() >> 2), service, absl::Now(), env.layout)));
    }
    return [&env, batch, &tally, salt, tokens, templates, stub = StubFor(env, thread),
            next_template = size_t{0}]() mutable -> absl::Status {
      const absl::Time now = absl::Now();
      absl::StatusOr<std::string> token = tokens->Token(now);
      if (!token.ok()) return token.status();
      v1::AppendEventsRequest request;
      const uint64_t first = tally.next.fetch_add(static_cast<uint64_t>(batch));
      for (int k = 0; k < batch; ++k) {
        v1::AuditEvent* event = request.add_events();
        *event = (*templates)[next_template++ % templates->size()];
        event->set_id(ModelUuid(absl::ToUnixMillis(now), salt | (first + k)));
        SetTime(*event->mutable_event_time(), now);
      }
      grpc::ClientContext context;
      Prepare(context, env, *token);
      v1::AppendEventsResponse response;
      if (grpc::Status status = stub->AppendEvents(&context, request, &response); !status.ok()) {
        return FromGrpc(status);
      }
      if (response.results_size() != batch) {
        return absl::InternalError(
            absl::StrCat("AppendEvents: ", response.results_size(), " results for ", batch));
      }
      for (const v1::AppendResult& result : response.results()) {
        if (result.status() != v1::APPEND_STATUS_ACCEPTED) {
          return absl::InternalError(absl::StrCat("AppendEvents: ", result.event_id(), " ",
                                                  v1::AppendStatus_Name(result.status())));
        }
      }
      tally.accepted += batch;
      return absl::OkStatus();
    };
  };
}

v1::EventFilter FilterFor(QueryFilter kind, int64_t i, const EventLayout& layout) {
  v1::EventFilter filter;
  if (kind == QueryFilter::kNone) return filter;
  const audit::Event event = SeedEvent(i, layout);
  switch (kind) {
    case QueryFilter::kResource:
      filter.set_resource_type(event.resource_type);
      filter.set_resource_id(event.resource_id);
      break;
    case QueryFilter::kActor:
      filter.set_actor_id(event.actor_id);
      break;
    case QueryFilter::kAction:
      filter.add_actions(event.action);
      break;
    case QueryFilter::kNone:
      break;
  }
  return filter;
}

CallFactory FirstPageCalls(const AuditEnv& env, QueryFilter kind, int page_size,
                           QueryTally& tally) {
  return [&env, kind, page_size, &tally](int thread) -> CallFn {
    return [&env, kind, page_size, &tally, stub = StubFor(env, thread),
            random = std::mt19937_64(static_cast<uint64_t>(thread) * 104729 +
                                     17)]() mutable -> absl::Status {
      std::uniform_int_distribution<int64_t> pick(1, env.layout.events);
      v1::QueryEventsRequest request;
      request.mutable_page()->set_page_size(page_size);
      *request.mutable_filter() = FilterFor(kind, pick(random), env.layout);
      grpc::ClientContext context;
      Prepare(context, env, env.user_token);
      v1::QueryEventsResponse response;
      if (grpc::Status status = stub->QueryEvents(&context, request, &response); !status.ok()) {
        return FromGrpc(status);
      }
      const int rows = response.events_size();
      if (rows < 1 || (kind != QueryFilter::kResource && rows != page_size)) {
        return absl::InternalError(absl::StrCat("QueryEvents: ", rows, " rows"));
      }
      for (const v1::AuditEvent& event : response.events()) {
        if (!Matches(kind, request.filter(), event)) {
          return absl::InternalError(absl::StrCat("QueryEvents: ", event.id(), " does not match"));
        }
      }
      ++tally.calls;
      tally.rows += rows;
      tally.total_sum += response.page_info().total_size();
      if (response.page_info().total_is_estimate()) ++tally.estimated;
      return absl::OkStatus();
    };
  };
}

absl::StatusOr<std::string> WalkToDepth(const AuditEnv& env, v1::QueryEventsRequest request,
                                        int64_t rows) {
  constexpr int kStep = 500;
  std::shared_ptr<v1::AuditService::Stub> stub = StubFor(env, 0);
  request.mutable_page()->set_page_size(kStep);
  request.mutable_page()->set_total_count_mode(common::v1::TOTAL_COUNT_MODE_NONE);
  std::string token;
  for (int64_t walked = 0; walked < rows; walked += kStep) {
    request.mutable_page()->set_page_token(token);
    grpc::ClientContext context;
    Prepare(context, env, env.user_token);
    v1::QueryEventsResponse response;
    if (grpc::Status status = stub->QueryEvents(&context, request, &response); !status.ok()) {
      return FromGrpc(status);
    }
    token = response.page_info().next_page_token();
    if (token.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the listing ends before row ", rows, " (at ", walked + kStep, ")"));
    }
  }
  return token;
}

CallFactory PageCalls(const AuditEnv& env, v1::QueryEventsRequest request, int expected_rows) {
  return [&env, request = std::move(request), expected_rows](int thread) -> CallFn {
    return [&env, request, expected_rows, stub = StubFor(env, thread)]() -> absl::Status {
      grpc::ClientContext context;
      Prepare(context, env, env.user_token);
      v1::QueryEventsResponse response;
      if (grpc::Status status = stub->QueryEvents(&context, request, &response); !status.ok()) {
        return FromGrpc(status);
      }
      if (response.events_size() != expected_rows) {
        return absl::InternalError(absl::StrCat("QueryEvents: ", response.events_size(),
                                                " rows, expected ", expected_rows));
      }
      return absl::OkStatus();
    };
  };
}

absl::StatusOr<int64_t> HeadSequence(const AuditEnv& env) {
  std::shared_ptr<v1::AuditService::Stub> stub = StubFor(env, 0);
  grpc::ClientContext context;
  Prepare(context, env, env.user_token);
  v1::Checkpoint checkpoint;
  if (grpc::Status status = stub->GetCheckpoint(&context, v1::GetCheckpointRequest(), &checkpoint);
      !status.ok()) {
    return FromGrpc(status);
  }
  return checkpoint.sequence();
}

absl::StatusOr<std::vector<VerifyPiece>> VerifyWholeChain(const AuditEnv& env, int64_t piece) {
  absl::StatusOr<int64_t> head = HeadSequence(env);
  if (!head.ok()) return head.status();
  std::shared_ptr<v1::AuditService::Stub> stub = StubFor(env, 0);
  std::vector<VerifyPiece> pieces;
  for (int64_t start = 1; start <= *head; start += piece) {
    const int64_t end = std::min(*head, start + piece - 1);
    v1::VerifyChainRequest request;
    request.set_start_sequence(start);
    request.set_end_sequence(end);
    grpc::ClientContext context;
    Prepare(context, env, env.user_token);
    v1::VerifyChainResponse response;
    const absl::Time begin = absl::Now();
    if (grpc::Status status = stub->VerifyChain(&context, request, &response); !status.ok()) {
      return FromGrpc(status);
    }
    const absl::Duration took = absl::Now() - begin;
    if (!response.intact() || response.verified_count() != end - start + 1) {
      return absl::FailedPreconditionError(
          absl::StrCat("VerifyChain [", start, ", ", end, "]: intact ", response.intact(),
                       ", verified ", response.verified_count(), ", first broken ",
                       response.first_broken_sequence(), " (", response.reason(), ")"));
    }
    pieces.push_back(VerifyPiece{.start = response.start_sequence(),
                                 .end = response.end_sequence(),
                                 .verified = response.verified_count(),
                                 .took = took});
  }
  return pieces;
}

}  // namespace backoffice::bench
