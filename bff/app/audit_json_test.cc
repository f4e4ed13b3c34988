// Unit tests of the audit REST API's mapping (bff/app/audit_json): records, list and export
// queries, the verify range.
#include "bff/app/audit_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace json = boost::json;

http::ListQuery Parse(const std::string& query) {
  absl::StatusOr<http::ListQuery> parsed = http::ParseListQuery(query, "", AuditListSpec());
  INFO(query << ": " << parsed.status());
  REQUIRE(parsed.ok());
  return *parsed;
}

// The field the first field error names, or "".
std::string ErrorField(const absl::Status& status) {
  auto errors = http::FieldErrorsOf(status);
  return errors.empty() ? "" : errors.front().first;
}

// The parameter ApplyAuditQuery refuses for `query`, or "" when it accepts it.
std::string Refused(const std::string& query) {
  audit::v1::QueryEventsRequest out;
  absl::Status status = ApplyAuditQuery(Parse(query), out);
  if (status.ok()) {
    return "";
  }
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  return ErrorField(status);
}

TEST_CASE("an audit event is a camelCase record with id, nested actor and JSON objects",
          "[audit]") {
  audit::v1::AuditEvent event;
  event.set_id("0192f1c4-1e2d-7a3b-8c4d-5e6f7a8b9c0d");
  event.set_sequence(42);
  event.mutable_event_time()->set_seconds(1'700'000'000);
  event.mutable_event_time()->set_nanos(123'456'000);
  event.mutable_actor()->set_type(common::v1::ACTOR_TYPE_USER);
  event.mutable_actor()->set_id("0192f1c4-0000-7000-8000-000000000001");
  event.set_action("users.user.updated");
  event.set_resource_type("users.user");
  event.set_resource_id("u1");
  event.set_service("users");
  event.set_request_id("req-1");
  event.set_outcome(audit::v1::OUTCOME_SUCCESS);
  (*event.mutable_after()->mutable_fields())["displayName"].set_string_value("Ann");
  (*event.mutable_after()->mutable_fields())["count"].set_number_value(3);
  event.set_prev_hash(std::string(64, '0'));
  event.set_hash(std::string(64, 'a'));

  json::object out = AuditEventToJson(event);
  CHECK(out.at("id") == "0192f1c4-1e2d-7a3b-8c4d-5e6f7a8b9c0d");
  CHECK(out.at("sequence") == 42);
  CHECK(out.at("eventTime") == "2023-11-14T22:13:20.123456+00:00");
  CHECK(out.at("ingestTime").is_null());
  CHECK(out.at("actor").at("type") == "user");
  CHECK(out.at("actor").at("id") == "0192f1c4-0000-7000-8000-000000000001");
  CHECK(out.at("actor").at("ipAddress").is_null());
  CHECK(out.at("action") == "users.user.updated");
  CHECK(out.at("resourceType") == "users.user");
  CHECK(out.at("resourceId") == "u1");
  CHECK(out.at("requestId") == "req-1");
  CHECK(out.at("traceId").is_null());
  CHECK(out.at("outcome") == "success");
  CHECK(out.at("before").is_null());
  CHECK(out.at("after").at("displayName") == "Ann");
  CHECK(out.at("after").at("count").to_number<double>() == 3);
  CHECK(out.at("metadata").is_null());
  CHECK(out.at("prevHash").as_string() == std::string(64, '0'));
  CHECK(out.at("hash").as_string() == std::string(64, 'a'));
  for (const auto& [name, value] : out) {
    INFO(name);
    CHECK(name.find('_') == json::string_view::npos);
  }
}

TEST_CASE("verification and checkpoint answers", "[audit]") {
  audit::v1::VerifyChainResponse intact;
  intact.set_intact(true);
  intact.set_start_sequence(1);
  intact.set_end_sequence(9);
  intact.set_verified_count(9);
  json::object ok = VerifyResultToJson(intact);
  CHECK(ok.at("intact") == true);
  CHECK(ok.at("verifiedCount") == 9);
  CHECK(ok.at("firstBrokenSequence").is_null());
  CHECK(ok.at("reason").is_null());
  CHECK(ok.at("retentionBoundary").is_null());

  // After retention: where verification started and why.
  audit::v1::RetentionBoundary* boundary = intact.mutable_retention_boundary();
  boundary->set_first_retained_sequence(120);
  boundary->set_first_retained_prev_hash("cd");
  boundary->set_events_removed(119);
  boundary->add_dropped_partitions("events_p202608");
  boundary->set_retention_event_id("0192f1c4-1e2d-7a3b-8c4d-5e6f7a8b9c0d");
  boundary->set_retention_event_sequence(130);
  json::object trimmed = VerifyResultToJson(intact);
  const json::object& shown = trimmed.at("retentionBoundary").as_object();
  CHECK(shown.at("firstRetainedSequence") == 120);
  CHECK(shown.at("firstRetainedPrevHash") == "cd");
  CHECK(shown.at("eventsRemoved") == 119);
  CHECK(shown.at("droppedPartitions") == json::array{"events_p202608"});
  CHECK(shown.at("retentionEventSequence") == 130);
  CHECK(shown.at("appliedTime").is_null());

  audit::v1::VerifyChainResponse broken;
  broken.set_first_broken_sequence(5);
  broken.set_reason("hash mismatch");
  json::object bad = VerifyResultToJson(broken);
  CHECK(bad.at("intact") == false);
  CHECK(bad.at("firstBrokenSequence") == 5);
  CHECK(bad.at("reason") == "hash mismatch");

  audit::v1::Checkpoint checkpoint;
  checkpoint.set_sequence(9);
  checkpoint.set_hash("ab");
  checkpoint.set_signature(std::string("\x01\x02\xff", 3));
  checkpoint.set_public_key("key");
  checkpoint.set_key_id("ed25519-0011");
  json::object signed_head = CheckpointToJson(checkpoint);
  CHECK(signed_head.at("id") == 9);
  CHECK(signed_head.at("signature") == "AQL/");
  CHECK(signed_head.at("publicKey") == "a2V5");
  CHECK(signed_head.at("keyId") == "ed25519-0011");
}

TEST_CASE("audit list filters, sort and paging map onto QueryEvents", "[audit]") {
  audit::v1::QueryEventsRequest out;
  REQUIRE(ApplyAuditQuery(
              Parse("_start=10&_end=30&_sort=eventTime&_order=ASC&actorId=u1&actorType=service"
                    "&action=users.user.created&action=roles.*&resourceType=users.user"
                    "&resourceId=r1&requestId=q1&service=users&outcome=denied"
                    "&time_gte=2024-01-01&time_lte=2024-01-31T00:00:00Z"),
              out)
              .ok());
  CHECK(out.page().offset() == 10);
  CHECK(out.page().page_size() == 20);
  CHECK(out.time_order() == common::v1::SORT_DIRECTION_ASC);
  const audit::v1::EventFilter& filter = out.filter();
  CHECK(filter.actor_id() == "u1");
  CHECK(filter.actor_type() == common::v1::ACTOR_TYPE_SERVICE_ACCOUNT);
  REQUIRE(filter.actions_size() == 2);
  CHECK(filter.actions(1) == "roles.*");
  CHECK(filter.resource_type() == "users.user");
  CHECK(filter.resource_id() == "r1");
  CHECK(filter.request_id() == "q1");
  CHECK(filter.service() == "users");
  CHECK(filter.outcome() == audit::v1::OUTCOME_DENIED);
  CHECK(filter.event_time().start_time().seconds() == 1'704'067'200);
  // _lte is inclusive: the exclusive end is one microsecond later.
  CHECK(filter.event_time().end_time().seconds() == 1'706'659'200);
  CHECK(filter.event_time().end_time().nanos() == 1000);

  // The other dialects: simple-rest JSON and cursor paging; newest first when unsorted.
  audit::v1::QueryEventsRequest simple;
  REQUIRE(ApplyAuditQuery(Parse(R"(sort=["time","DESC"]&range=[0,9]&filter={"eventTime_gte":)"
                                R"("2024-01-01T00:00:00Z","outcome":"success"})"),
                          simple)
              .ok());
  CHECK(simple.time_order() == common::v1::SORT_DIRECTION_DESC);
  CHECK(simple.page().page_size() == 10);
  CHECK(simple.filter().outcome() == audit::v1::OUTCOME_SUCCESS);
  CHECK(simple.filter().event_time().has_start_time());
  CHECK_FALSE(simple.filter().event_time().has_end_time());

  audit::v1::QueryEventsRequest cursor;
  REQUIRE(ApplyAuditQuery(Parse("cursor=abc&limit=5"), cursor).ok());
  CHECK(cursor.page().page_token() == "abc");
  CHECK(cursor.page().offset() == 0);
  CHECK(cursor.time_order() == common::v1::SORT_DIRECTION_UNSPECIFIED);
}

TEST_CASE("audit list queries the service cannot answer are 400s naming the parameter", "[audit]") {
  CHECK(Refused("actorType=robot") == "actorType");
  CHECK(Refused("outcome=maybe") == "outcome");
  CHECK(Refused("time_gte=yesterday") == "time_gte");
  CHECK(Refused("eventTime=2024-01-01") == "eventTime");
  CHECK(Refused("actorId_like=u") == "actorId_like");
  CHECK(Refused("service=a&service=b") == "service");
  CHECK(Refused("_sort=eventTime,id&_order=asc,desc") == "_sort");
  // Refused by the dialect parser already: unknown fields, sort keys and q.
  for (const char* query : {"q=ann", "_sort=action", "colour=red"}) {
    INFO(query);
    CHECK_FALSE(http::ParseListQuery(query, "", AuditListSpec()).ok());
  }
}

TEST_CASE("an export takes format out of the query and keeps the filters", "[audit]") {
  std::string rest;
  absl::StatusOr<audit::v1::ExportFormat> format =
      TakeExportFormat("actorId=u1&format=ndjson&_sort=time&_order=DESC", rest);
  REQUIRE(format.ok());
  CHECK(*format == audit::v1::EXPORT_FORMAT_NDJSON);
  CHECK(rest == "actorId=u1&_sort=time&_order=DESC");
  audit::v1::ExportEventsRequest out;
  REQUIRE(ApplyAuditExport(Parse(rest), out).ok());
  CHECK(out.filter().actor_id() == "u1");
  CHECK(out.time_order() == common::v1::SORT_DIRECTION_DESC);

  CHECK(*TakeExportFormat("", rest) == audit::v1::EXPORT_FORMAT_CSV);
  CHECK(ErrorField(TakeExportFormat("format=xml", rest).status()) == "format");
  CHECK(ErrorField(TakeExportFormat("format=csv&format=csv", rest).status()) == "format");
}

TEST_CASE("the verify range comes from the query or the body", "[audit]") {
  audit::v1::VerifyChainRequest query;
  REQUIRE(VerifyRangeFromQuery("startSequence=3&endSequence=7", query).ok());
  CHECK(query.start_sequence() == 3);
  CHECK(query.end_sequence() == 7);
  CHECK(ErrorField(VerifyRangeFromQuery("startSequence=-1", query)) == "startSequence");
  CHECK(ErrorField(VerifyRangeFromQuery("endSequence=x", query)) == "endSequence");
  CHECK(ErrorField(VerifyRangeFromQuery("from=1", query)) == "from");

  audit::v1::VerifyChainRequest body;
  REQUIRE(VerifyRangeFromBody(json::parse(R"({"startSequence":2,"endSequence":null})").as_object(),
                              body)
              .ok());
  CHECK(body.start_sequence() == 2);
  CHECK(body.end_sequence() == 0);
  CHECK(ErrorField(VerifyRangeFromBody(json::parse(R"({"endSequence":-4})").as_object(), body)) ==
        "endSequence");
}

}  // namespace
}  // namespace backoffice::bff::app
