#include "services/audit/event_mapping.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "services/audit/store/canonical_json.h"

namespace backoffice::audit {
namespace {

using google::protobuf::util::TimeUtil;
namespace common = backoffice::common::v1;

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

absl::Time TimeFromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void TimeToProto(absl::Time time, google::protobuf::Timestamp* out) {
  int64_t micros = absl::ToUnixMicros(time);
  int64_t seconds = micros >= 0 ? micros / 1'000'000 : -((-micros + 999'999) / 1'000'000);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>((micros - seconds * 1'000'000) * 1000));
}

bool AllFinite(const google::protobuf::Value& value);

bool AllFinite(const google::protobuf::Struct& value) {
  for (const auto& [key, member] : value.fields()) {
    if (!AllFinite(member)) return false;
  }
  return true;
}

// protobuf's JSON printer writes a non-finite number_value as a string ("NaN"); refuse it
// instead of storing something the producer did not send.
bool AllFinite(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNumberValue:
      return std::isfinite(value.number_value());
    case google::protobuf::Value::kStructValue:
      return AllFinite(value.struct_value());
    case google::protobuf::Value::kListValue:
      for (const google::protobuf::Value& element : value.list_value().values()) {
        if (!AllFinite(element)) return false;
      }
      return true;
    default:
      return true;
  }
}

// Nesting the direct writer below handles; deeper trees take the printer's path, whose parser
// (Boost.JSON, at most 32 levels) decides as it always did.
constexpr int kMaxDirectDepth = 16;

enum class Written { kDone, kNotHandled };

absl::StatusOr<Written> WriteCanonical(const google::protobuf::Struct& value,
                                       std::string_view field, int depth, std::string& out);

// Canonical JSON (canonical_json.h) straight from a Value, without printing JSON and parsing it
// again: the same bytes as CanonicalJson(MessageToJsonString(value)) (event_mapping_test checks
// it, numbers included: both write the double itself, since CanonicalJson reads the printer's
// digits correctly rounded), at a fraction of the allocations. kNotHandled for what it leaves to
// that path (a Value with no kind, deep nesting).
absl::StatusOr<Written> WriteCanonical(const google::protobuf::Value& value, std::string_view field,
                                       int depth, std::string& out) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
      out.append("null");
      return Written::kDone;
    case google::protobuf::Value::kBoolValue:
      out.append(value.bool_value() ? "true" : "false");
      return Written::kDone;
    case google::protobuf::Value::kNumberValue:
      if (absl::Status s = AppendCanonicalJsonNumber(value.number_value(), field, out); !s.ok()) {
        return s;  // NaN or an infinity
      }
      return Written::kDone;
    case google::protobuf::Value::kStringValue:
      AppendCanonicalJsonString(value.string_value(), out);
      return Written::kDone;
    case google::protobuf::Value::kStructValue:
      return WriteCanonical(value.struct_value(), field, depth + 1, out);
    case google::protobuf::Value::kListValue: {
      if (depth + 1 > kMaxDirectDepth) return Written::kNotHandled;
      out.push_back('[');
      bool first = true;
      for (const google::protobuf::Value& element : value.list_value().values()) {
        if (!first) out.push_back(',');
        first = false;
        absl::StatusOr<Written> written = WriteCanonical(element, field, depth + 1, out);
        if (!written.ok() || *written == Written::kNotHandled) return written;
      }
      out.push_back(']');
      return Written::kDone;
    }
    default:
      return Written::kNotHandled;
  }
}

absl::StatusOr<Written> WriteCanonical(const google::protobuf::Struct& value,
                                       std::string_view field, int depth, std::string& out) {
  if (depth > kMaxDirectDepth) return Written::kNotHandled;
  using Member = const google::protobuf::MapPair<std::string, google::protobuf::Value>*;
  absl::InlinedVector<Member, 16> members;
  members.reserve(value.fields().size());
  for (const auto& member : value.fields()) members.push_back(&member);
  // Bytewise on the UTF-8 keys, as CanonicalJson sorts (std::string compares as unsigned char).
  std::sort(members.begin(), members.end(), [](Member a, Member b) { return a->first < b->first; });
  out.push_back('{');
  bool first = true;
  for (Member member : members) {
    if (!first) out.push_back(',');
    first = false;
    AppendCanonicalJsonString(member->first, out);
    out.push_back(':');
    absl::StatusOr<Written> written = WriteCanonical(member->second, field, depth, out);
    if (!written.ok() || *written == Written::kNotHandled) return written;
  }
  out.push_back('}');
  return Written::kDone;
}

// `prefix` + "." + `name` names the field in errors; the name is only built when needed.
absl::StatusOr<std::optional<std::string>> StructToJson(bool present,
                                                        const google::protobuf::Struct& value,
                                                        std::string_view prefix,
                                                        std::string_view name) {
  if (!present) return std::optional<std::string>();
  std::string direct;
  direct.reserve(256);
  absl::StatusOr<Written> written = WriteCanonical(value, name, 1, direct);
  if (written.ok() && *written == Written::kDone) {
    return std::optional<std::string>(std::move(direct));
  }
  const std::string field = absl::StrCat(Absl(prefix), ".", Absl(name));
  std::string json;
  if (!AllFinite(value) || !google::protobuf::util::MessageToJsonString(value, &json).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": numbers must be finite (no NaN or infinity)"));
  }
  absl::StatusOr<std::string> canonical = CanonicalJson(std::string_view(json), field);
  if (!canonical.ok()) return canonical.status();
  return std::optional<std::string>(*std::move(canonical));
}

absl::Status JsonToStruct(const std::optional<std::string>& json, google::protobuf::Struct* out) {
  if (!json.has_value()) return absl::OkStatus();
  if (!google::protobuf::util::JsonStringToMessage(*json, out).ok()) {
    return absl::InternalError("stored JSON does not convert to a Struct");
  }
  return absl::OkStatus();
}

std::string OutcomeName(v1::Outcome outcome) {
  switch (outcome) {
    case v1::OUTCOME_SUCCESS:
      return kOutcomeSuccess;
    case v1::OUTCOME_FAILURE:
      return kOutcomeFailure;
    case v1::OUTCOME_DENIED:
      return kOutcomeDenied;
    default:
      return "";
  }
}

v1::Outcome OutcomeFromName(std::string_view name) {
  if (name == kOutcomeSuccess) return v1::OUTCOME_SUCCESS;
  if (name == kOutcomeFailure) return v1::OUTCOME_FAILURE;
  if (name == kOutcomeDenied) return v1::OUTCOME_DENIED;
  return v1::OUTCOME_UNSPECIFIED;
}

common::ActorType ActorTypeFromName(std::string_view name) {
  if (name == kActorUser) return common::ACTOR_TYPE_USER;
  if (name == kActorService) return common::ACTOR_TYPE_SERVICE_ACCOUNT;
  if (name == kActorSystem) return common::ACTOR_TYPE_SYSTEM;
  if (name == kActorAnonymous) return common::ACTOR_TYPE_ANONYMOUS;
  return common::ACTOR_TYPE_UNSPECIFIED;
}

}  // namespace

std::string_view ActorTypeName(int type) {
  switch (type) {
    case common::ACTOR_TYPE_USER:
      return kActorUser;
    case common::ACTOR_TYPE_SERVICE_ACCOUNT:
      return kActorService;
    case common::ACTOR_TYPE_SYSTEM:
      return kActorSystem;
    case common::ACTOR_TYPE_ANONYMOUS:
      return kActorAnonymous;
    default:
      return "";
  }
}

absl::StatusOr<Event> EventFromProto(const v1::AuditEvent& proto, std::string_view prefix) {
  Event event;
  event.id = proto.id();
  event.event_time =
      proto.has_event_time() ? TimeFromProto(proto.event_time()) : absl::InfinitePast();
  event.actor_type = std::string(ActorTypeName(proto.actor().type()));
  event.actor_id = proto.actor().id();
  event.actor_display_name = proto.actor().display_name();
  event.client_ip = proto.actor().ip_address();
  event.user_agent = proto.actor().user_agent();
  event.on_behalf_of_id = proto.actor().on_behalf_of_id();
  event.action = proto.action();
  event.resource_type = proto.resource_type();
  event.resource_id = proto.resource_id();
  event.service = proto.service();
  event.request_id = proto.request_id();
  event.trace_id = proto.trace_id();
  event.outcome = OutcomeName(proto.outcome());
  event.message = proto.message();
  auto json = [&](bool present, const google::protobuf::Struct& value, const char* field,
                  std::optional<std::string>& out) -> absl::Status {
    absl::StatusOr<std::optional<std::string>> converted =
        StructToJson(present, value, prefix, field);
    if (!converted.ok()) return converted.status();
    out = *std::move(converted);
    return absl::OkStatus();
  };
  if (absl::Status s = json(proto.has_before(), proto.before(), "before", event.before); !s.ok()) {
    return s;
  }
  if (absl::Status s = json(proto.has_after(), proto.after(), "after", event.after); !s.ok()) {
    return s;
  }
  if (absl::Status s = json(proto.has_metadata(), proto.metadata(), "metadata", event.metadata);
      !s.ok()) {
    return s;
  }
  return event;
}

void RetentionBoundaryToProto(const RetentionBoundary& boundary, v1::RetentionBoundary& proto) {
  proto.set_first_retained_sequence(boundary.first_retained_sequence);
  proto.set_first_retained_prev_hash(boundary.first_retained_prev_hash);
  TimeToProto(boundary.applied_time, proto.mutable_applied_time());
  proto.set_events_removed(boundary.events_removed);
  for (const std::string& name : boundary.dropped_partitions) proto.add_dropped_partitions(name);
  proto.set_retention_event_id(boundary.event_id);
  proto.set_retention_event_sequence(boundary.event_sequence);
}

absl::Status EventToProto(const Event& event, v1::AuditEvent* proto) {
  proto->set_id(event.id);
  proto->set_sequence(event.sequence);
  TimeToProto(event.event_time, proto->mutable_event_time());
  TimeToProto(event.ingest_time, proto->mutable_ingest_time());
  common::Actor* actor = proto->mutable_actor();
  actor->set_type(ActorTypeFromName(event.actor_type));
  actor->set_id(event.actor_id);
  actor->set_display_name(event.actor_display_name);
  actor->set_ip_address(event.client_ip);
  actor->set_user_agent(event.user_agent);
  actor->set_on_behalf_of_id(event.on_behalf_of_id);
  proto->set_action(event.action);
  proto->set_resource_type(event.resource_type);
  proto->set_resource_id(event.resource_id);
  proto->set_service(event.service);
  proto->set_request_id(event.request_id);
  proto->set_trace_id(event.trace_id);
  proto->set_outcome(OutcomeFromName(event.outcome));
  proto->set_message(event.message);
  if (absl::Status s = JsonToStruct(event.before, proto->mutable_before()); !s.ok()) return s;
  if (absl::Status s = JsonToStruct(event.after, proto->mutable_after()); !s.ok()) return s;
  if (absl::Status s = JsonToStruct(event.metadata, proto->mutable_metadata()); !s.ok()) return s;
  if (!event.before.has_value()) proto->clear_before();
  if (!event.after.has_value()) proto->clear_after();
  if (!event.metadata.has_value()) proto->clear_metadata();
  proto->set_prev_hash(event.prev_hash);
  proto->set_hash(event.hash);
  return absl::OkStatus();
}

absl::StatusOr<EventFilter> FilterFromProto(const v1::EventFilter& proto) {
  EventFilter filter;
  filter.actor_id = proto.actor_id();
  filter.actor_type = std::string(ActorTypeName(proto.actor_type()));
  filter.actions.assign(proto.actions().begin(), proto.actions().end());
  filter.resource_type = proto.resource_type();
  filter.resource_id = proto.resource_id();
  if (proto.event_time().has_start_time()) {
    filter.time_start = TimeFromProto(proto.event_time().start_time());
  }
  if (proto.event_time().has_end_time()) {
    filter.time_end = TimeFromProto(proto.event_time().end_time());
  }
  filter.request_id = proto.request_id();
  filter.service = proto.service();
  filter.outcome = OutcomeName(proto.outcome());
  if (absl::Status status = ValidateFilter(filter, "filter"); !status.ok()) return status;
  return filter;
}

}  // namespace backoffice::audit
