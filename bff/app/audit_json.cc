#include "bff/app/audit_json.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bff/app/json_time.h"
#include "bff/app/route_support.h"
#include "bff/app/user_json.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace json = boost::json;
using audit::v1::EventFilter;

absl::Status FieldError(std::string field, std::string message) {
  std::string text = absl::StrCat(field, ": ", message);
  return http::WithFieldErrors(absl::InvalidArgumentError(text),
                               {{std::move(field), std::move(message)}});
}

json::value OrNull(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::value StructOrNull(const google::protobuf::Struct& value, bool present) {
  return present ? json::value(StructToJson(value)) : json::value(nullptr);
}

constexpr char kFilters[] =
    "audit events filter by actorId, actorType, action, resourceType, resourceId, requestId, "
    "service, outcome (exact) and eventTime_gte / eventTime_lte";

absl::StatusOr<common::v1::ActorType> ParseActorType(std::string_view text) {
  if (text == "user") {
    return common::v1::ACTOR_TYPE_USER;
  }
  if (text == "service") {
    return common::v1::ACTOR_TYPE_SERVICE_ACCOUNT;
  }
  if (text == "system") {
    return common::v1::ACTOR_TYPE_SYSTEM;
  }
  if (text == "anonymous") {
    return common::v1::ACTOR_TYPE_ANONYMOUS;
  }
  return absl::InvalidArgumentError("must be user, service, system or anonymous");
}

absl::StatusOr<audit::v1::Outcome> ParseOutcome(std::string_view text) {
  if (text == "success") {
    return audit::v1::OUTCOME_SUCCESS;
  }
  if (text == "failure") {
    return audit::v1::OUTCOME_FAILURE;
  }
  if (text == "denied") {
    return audit::v1::OUTCOME_DENIED;
  }
  return absl::InvalidArgumentError("must be success, failure or denied");
}

bool IsTimeField(const std::string& field) { return field == "eventTime" || field == "time"; }

// The exact single-value filters and where they go.
std::string* ExactField(const std::string& field, EventFilter& filter) {
  if (field == "actorId") {
    return filter.mutable_actor_id();
  }
  if (field == "resourceType") {
    return filter.mutable_resource_type();
  }
  if (field == "resourceId") {
    return filter.mutable_resource_id();
  }
  if (field == "requestId") {
    return filter.mutable_request_id();
  }
  if (field == "service") {
    return filter.mutable_service();
  }
  return nullptr;
}

absl::Status ApplyFilter(const http::Filter& filter, EventFilter& out) {
  std::string param = http::FilterParamName(filter);
  if (IsTimeField(filter.field)) {
    if (filter.op != http::FilterOp::kGte && filter.op != http::FilterOp::kLte) {
      return FieldError(param, absl::StrCat("is not supported; use ", filter.field, "_gte and ",
                                            filter.field, "_lte"));
    }
    bool end = filter.op == http::FilterOp::kLte;
    absl::StatusOr<absl::Time> time = ParseFilterTime(filter.values.front(), end);
    if (!time.ok()) {
      return FieldError(param, std::string(time.status().message()));
    }
    *(end ? out.mutable_event_time()->mutable_end_time()
          : out.mutable_event_time()->mutable_start_time()) = ToTimestamp(*time);
    return absl::OkStatus();
  }
  if (filter.op != http::FilterOp::kEq) {
    return FieldError(param, absl::StrCat("is not supported; ", kFilters));
  }
  if (filter.field == "action") {
    for (const std::string& action : filter.values) {
      out.add_actions(action);
    }
    return absl::OkStatus();
  }
  if (filter.values.size() != 1) {
    return FieldError(param, "takes a single value");
  }
  const std::string& value = filter.values.front();
  if (filter.field == "actorType") {
    absl::StatusOr<common::v1::ActorType> type = ParseActorType(value);
    if (!type.ok()) {
      return FieldError(param, std::string(type.status().message()));
    }
    out.set_actor_type(*type);
  } else if (filter.field == "outcome") {
    absl::StatusOr<audit::v1::Outcome> outcome = ParseOutcome(value);
    if (!outcome.ok()) {
      return FieldError(param, std::string(outcome.status().message()));
    }
    out.set_outcome(*outcome);
  } else if (std::string* field = ExactField(filter.field, out); field != nullptr) {
    *field = value;
  } else {
    return FieldError(param, absl::StrCat("is not supported; ", kFilters));
  }
  return absl::OkStatus();
}

absl::Status ApplyFiltersAndSort(const http::ListQuery& query, EventFilter& filter,
                                 common::v1::SortDirection& order) {
  for (const http::Filter& item : query.filters) {
    if (absl::Status applied = ApplyFilter(item, filter); !applied.ok()) {
      return applied;
    }
  }
  if (query.sort.size() > 1) {
    return FieldError("_sort", "at most 1 sort field (events are ordered by time)");
  }
  // Every sortable name (eventTime, time, id) orders by event time, then sequence.
  for (const http::SortKey& key : query.sort) {
    order = key.descending ? common::v1::SORT_DIRECTION_DESC : common::v1::SORT_DIRECTION_ASC;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Sequence(const std::string& name, std::string_view text) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &value) || value < 0) {
    return FieldError(name, "must be a non-negative integer");
  }
  return value;
}

}  // namespace

std::string_view ActorTypeName(common::v1::ActorType type) {
  switch (type) {
    case common::v1::ACTOR_TYPE_USER:
      return "user";
    case common::v1::ACTOR_TYPE_SERVICE_ACCOUNT:
      return "service";
    case common::v1::ACTOR_TYPE_SYSTEM:
      return "system";
    case common::v1::ACTOR_TYPE_ANONYMOUS:
      return "anonymous";
    default:
      return "unspecified";
  }
}

std::string_view OutcomeName(audit::v1::Outcome outcome) {
  switch (outcome) {
    case audit::v1::OUTCOME_SUCCESS:
      return "success";
    case audit::v1::OUTCOME_FAILURE:
      return "failure";
    case audit::v1::OUTCOME_DENIED:
      return "denied";
    default:
      return "unspecified";
  }
}

json::object AuditEventToJson(const audit::v1::AuditEvent& event) {
  const common::v1::Actor& actor = event.actor();
  json::object actor_json;
  actor_json["type"] = ActorTypeName(actor.type());
  actor_json["id"] = OrNull(actor.id());
  actor_json["displayName"] = OrNull(actor.display_name());
  actor_json["ipAddress"] = OrNull(actor.ip_address());
  actor_json["userAgent"] = OrNull(actor.user_agent());
  actor_json["onBehalfOfId"] = OrNull(actor.on_behalf_of_id());

  json::object out;
  out["id"] = event.id();
  out["sequence"] = event.sequence();
  out["eventTime"] = TimestampJson(event.event_time(), event.has_event_time());
  out["ingestTime"] = TimestampJson(event.ingest_time(), event.has_ingest_time());
  out["actor"] = std::move(actor_json);
  out["action"] = event.action();
  out["resourceType"] = event.resource_type();
  out["resourceId"] = OrNull(event.resource_id());
  out["service"] = event.service();
  out["requestId"] = OrNull(event.request_id());
  out["traceId"] = OrNull(event.trace_id());
  out["outcome"] = OutcomeName(event.outcome());
  out["message"] = OrNull(event.message());
  out["before"] = StructOrNull(event.before(), event.has_before());
  out["after"] = StructOrNull(event.after(), event.has_after());
  out["metadata"] = StructOrNull(event.metadata(), event.has_metadata());
  out["prevHash"] = event.prev_hash();
  out["hash"] = event.hash();
  return out;
}

json::object VerifyResultToJson(const audit::v1::VerifyChainResponse& result) {
  json::object out;
  out["intact"] = result.intact();
  out["startSequence"] = result.start_sequence();
  out["endSequence"] = result.end_sequence();
  out["verifiedCount"] = result.verified_count();
  out["firstBrokenSequence"] = result.first_broken_sequence() == 0
                                   ? json::value(nullptr)
                                   : json::value(result.first_broken_sequence());
  out["reason"] = OrNull(result.reason());
  out["expectedHash"] = OrNull(result.expected_hash());
  out["storedHash"] = OrNull(result.stored_hash());
  if (result.has_retention_boundary()) {
    const audit::v1::RetentionBoundary& boundary = result.retention_boundary();
    json::array partitions;
    for (const std::string& name : boundary.dropped_partitions())
      partitions.push_back(json::string(name));
    out["retentionBoundary"] = json::object{
        {"firstRetainedSequence", boundary.first_retained_sequence()},
        {"firstRetainedPrevHash", boundary.first_retained_prev_hash()},
        {"appliedTime", TimestampJson(boundary.applied_time(), boundary.has_applied_time())},
        {"eventsRemoved", boundary.events_removed()},
        {"droppedPartitions", std::move(partitions)},
        {"retentionEventId", boundary.retention_event_id()},
        {"retentionEventSequence", boundary.retention_event_sequence()}};
  } else {
    out["retentionBoundary"] = nullptr;
  }
  return out;
}

json::object CheckpointToJson(const audit::v1::Checkpoint& checkpoint) {
  json::object out;
  out["id"] = checkpoint.sequence();
  out["sequence"] = checkpoint.sequence();
  out["hash"] = checkpoint.hash();
  out["signTime"] = TimestampJson(checkpoint.sign_time(), checkpoint.has_sign_time());
  out["signature"] = absl::Base64Escape(checkpoint.signature());
  out["keyId"] = checkpoint.key_id();
  out["publicKey"] = absl::Base64Escape(checkpoint.public_key());
  return out;
}

const http::ListQuerySpec& AuditListSpec() {
  static const http::ListQuerySpec* spec = new http::ListQuerySpec{
      .sortable = {"eventTime", "time", "id"},
      .filterable = {"actorId", "actorType", "action", "resourceType", "resourceId", "requestId",
                     "service", "outcome", "eventTime", "time"},
      .searchable = false,
      .default_limit = 25,
      .max_limit = 500,
      .max_filter_values = 20,
  };
  return *spec;
}

absl::Status ApplyAuditQuery(const http::ListQuery& query, audit::v1::QueryEventsRequest& out) {
  common::v1::SortDirection order = common::v1::SORT_DIRECTION_UNSPECIFIED;
  if (absl::Status applied = ApplyFiltersAndSort(query, *out.mutable_filter(), order);
      !applied.ok()) {
    return applied;
  }
  out.set_time_order(order);
  out.mutable_page()->set_page_size(static_cast<int32_t>(query.limit));
  if (query.cursor.has_value()) {
    out.mutable_page()->set_page_token(*query.cursor);
  } else {
    out.mutable_page()->set_offset(static_cast<int32_t>(std::min<int64_t>(query.offset, 1 << 30)));
  }
  return absl::OkStatus();
}

absl::Status ApplyAuditExport(const http::ListQuery& query, audit::v1::ExportEventsRequest& out) {
  common::v1::SortDirection order = common::v1::SORT_DIRECTION_UNSPECIFIED;
  if (absl::Status applied = ApplyFiltersAndSort(query, *out.mutable_filter(), order);
      !applied.ok()) {
    return applied;
  }
  out.set_time_order(order);
  return absl::OkStatus();
}

absl::StatusOr<audit::v1::ExportFormat> TakeExportFormat(std::string_view query,
                                                         std::string& rest) {
  std::optional<audit::v1::ExportFormat> format;
  std::vector<absl::string_view> kept;
  for (absl::string_view pair :
       absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first != "format") {
      kept.push_back(pair);
      continue;
    }
    if (format.has_value()) {
      return FieldError("format", "must be given at most once");
    }
    if (absl::EqualsIgnoreCase(kv.second, "csv")) {
      format = audit::v1::EXPORT_FORMAT_CSV;
    } else if (absl::EqualsIgnoreCase(kv.second, "ndjson")) {
      format = audit::v1::EXPORT_FORMAT_NDJSON;
    } else {
      return FieldError("format", "must be csv or ndjson");
    }
  }
  rest = absl::StrJoin(kept, "&");
  return format.value_or(audit::v1::EXPORT_FORMAT_CSV);
}

absl::Status VerifyRangeFromQuery(std::string_view query, audit::v1::VerifyChainRequest& out) {
  absl::StatusOr<std::map<std::string, std::string>> options =
      ReadQueryOptions(query, {"startSequence", "endSequence"});
  if (!options.ok()) {
    return options.status();
  }
  for (const auto& [name, text] : *options) {
    absl::StatusOr<int64_t> value = Sequence(name, text);
    if (!value.ok()) {
      return value.status();
    }
    if (name == "startSequence") {
      out.set_start_sequence(*value);
    } else {
      out.set_end_sequence(*value);
    }
  }
  return absl::OkStatus();
}

const std::vector<http::FieldSpec>& VerifyBodySchema() {
  static const std::vector<http::FieldSpec>* schema = new std::vector<http::FieldSpec>{
      {"startSequence", http::JsonType::kInteger, false, true},
      {"endSequence", http::JsonType::kInteger, false, true},
  };
  return *schema;
}

absl::Status VerifyRangeFromBody(const json::object& body, audit::v1::VerifyChainRequest& out) {
  for (const char* name : {"startSequence", "endSequence"}) {
    const json::value* member = body.if_contains(name);
    if (member == nullptr || member->is_null()) {
      continue;
    }
    if (!member->is_int64() || member->get_int64() < 0) {
      return FieldError(name, "must be a non-negative integer");
    }
    if (std::string_view(name) == "startSequence") {
      out.set_start_sequence(member->get_int64());
    } else {
      out.set_end_sequence(member->get_int64());
    }
  }
  return absl::OkStatus();
}

}  // namespace backoffice::bff::app
