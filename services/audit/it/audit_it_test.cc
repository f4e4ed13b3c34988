// Black-box tests of the audit service: real users, roles and audit binaries over real gRPC.
// Service-account tokens append; users with audit:read / audit:export (the bootstrap admin) read,
// export and verify; everyone else is refused. The last case tampers with rows in SQL and
// expects VerifyChain to find the first broken event.
#include <grpcpp/client_context.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/ids/uuid.h"
#include "services/audit/it/audit_stack.h"

namespace backoffice::audit::it {
namespace {

v1::AuditEvent NewEvent(const std::string& action, const std::string& resource_id = "r-1") {
  v1::AuditEvent event;
  event.set_id(ids::NewUuidV7().ToString());
  event.mutable_event_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  event.mutable_actor()->set_type(common::v1::ACTOR_TYPE_USER);
  event.mutable_actor()->set_id("u-it");
  event.set_action(action);
  event.set_resource_type("users.User");
  event.set_resource_id(resource_id);
  event.set_service("users");
  event.set_request_id("req-it");
  event.set_outcome(v1::OUTCOME_SUCCESS);
  (*event.mutable_after()->mutable_fields())["display_name"].set_string_value("Anna");
  return event;
}

grpc::Status Append(const std::string& token, const std::vector<v1::AuditEvent>& events,
                    v1::AppendEventsResponse* response) {
  grpc::ClientContext context;
  AuditStack::Authorize(context, token);
  v1::AppendEventsRequest request;
  for (const v1::AuditEvent& event : events) *request.add_events() = event;
  return AuditStack::Shared().audit().AppendEvents(&context, request, response);
}

v1::QueryEventsResponse QueryOk(const v1::QueryEventsRequest& request) {
  grpc::ClientContext context;
  AuditStack::Authorize(context, AuditStack::Shared().admin_token());
  v1::QueryEventsResponse response;
  grpc::Status status = AuditStack::Shared().audit().QueryEvents(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return response;
}

v1::VerifyChainResponse VerifyOk() {
  grpc::ClientContext context;
  AuditStack::Authorize(context, AuditStack::Shared().admin_token());
  v1::VerifyChainResponse response;
  grpc::Status status =
      AuditStack::Shared().audit().VerifyChain(&context, v1::VerifyChainRequest(), &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return response;
}

TEST_CASE("calls without a valid token are UNAUTHENTICATED") {
  AuditStack& stack = AuditStack::Shared();
  grpc::ClientContext context;
  AuditStack::Authorize(context, "");
  v1::QueryEventsResponse response;
  CHECK(stack.audit().QueryEvents(&context, {}, &response).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  v1::AppendEventsResponse appended;
  CHECK(Append("not.a.token", {NewEvent("users.user.update")}, &appended).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("service accounts append; repeats are DUPLICATE, changed content CONFLICT") {
  AuditStack& stack = AuditStack::Shared();
  std::string token = stack.ServiceToken("users");
  v1::AuditEvent first = NewEvent("users.user.update");
  v1::AuditEvent second = NewEvent("users.user.create");
  v1::AppendEventsResponse response;
  grpc::Status status = Append(token, {first, second}, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  REQUIRE(response.results_size() == 2);
  CHECK(response.results(0).status() == v1::APPEND_STATUS_ACCEPTED);
  CHECK(response.results(1).sequence() == response.results(0).sequence() + 1);

  v1::AuditEvent changed = first;
  changed.set_message("rewritten");
  v1::AppendEventsResponse again;
  REQUIRE(Append(token, {second}, &again).ok());
  CHECK(again.results(0).status() == v1::APPEND_STATUS_DUPLICATE);
  CHECK(again.results(0).sequence() == response.results(1).sequence());
  v1::AppendEventsResponse conflict;
  REQUIRE(Append(token, {changed}, &conflict).ok());
  CHECK(conflict.results(0).status() == v1::APPEND_STATUS_CONFLICT);
}

TEST_CASE("appends are refused to users, to other services' events and to invalid events") {
  AuditStack& stack = AuditStack::Shared();
  v1::AppendEventsResponse response;
  CHECK(Append(stack.admin_token(), {NewEvent("users.user.update")}, &response).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status other =
      Append(stack.ServiceToken("roles"), {NewEvent("users.user.update")}, &response);
  CHECK(other.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(other.error_message() ==
        "events[0].service: a service account may append only its own events (roles)");
  v1::AuditEvent bad = NewEvent("Users.User.Update");
  grpc::Status invalid =
      Append(stack.ServiceToken("users"), {NewEvent("users.user.update"), bad}, &response);
  CHECK(invalid.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(invalid.error_message(), Catch::StartsWith("events[1].action:"));
  CHECK(Append(stack.ServiceToken("users"), {}, &response).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("readers need audit:read") {
  AuditStack& stack = AuditStack::Shared();
  std::string nobody = stack.CreateUserToken("nobody");
  grpc::ClientContext context;
  AuditStack::Authorize(context, nobody);
  v1::QueryEventsResponse response;
  grpc::Status status = stack.audit().QueryEvents(&context, {}, &response);
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(status.error_message() == "this call needs permission audit:read");
  grpc::ClientContext service_context;
  AuditStack::Authorize(service_context, stack.ServiceToken("users"));
  CHECK(stack.audit().QueryEvents(&service_context, {}, &response).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("queries filter and page; GetEvent finds by id and sequence") {
  AuditStack& stack = AuditStack::Shared();
  std::string resource = absl::StrCat("res-", ids::NewUuidV7().ToString());
  std::vector<v1::AuditEvent> events;
  for (int i = 0; i < 5; ++i) {
    v1::AuditEvent event =
        NewEvent(i % 2 == 0 ? "users.session.login" : "users.user.update", resource);
    event.mutable_event_time()->set_seconds(1'780'000'000 + i);
    events.push_back(event);
  }
  v1::AppendEventsResponse appended;
  REQUIRE(Append(stack.ServiceToken("users"), events, &appended).ok());

  v1::QueryEventsRequest request;
  request.mutable_filter()->set_resource_id(resource);
  request.mutable_filter()->add_actions("users.session.*");
  request.mutable_page()->set_page_size(2);
  v1::QueryEventsResponse page = QueryOk(request);
  REQUIRE(page.events_size() == 2);
  CHECK(page.events(0).event_time().seconds() == 1'780'000'004);
  CHECK(page.events(1).event_time().seconds() == 1'780'000'002);
  CHECK(page.page_info().total_size() == 3);
  CHECK(page.events(0).after().fields().at("display_name").string_value() == "Anna");
  request.mutable_page()->set_page_token(page.page_info().next_page_token());
  v1::QueryEventsResponse rest = QueryOk(request);
  REQUIRE(rest.events_size() == 1);
  CHECK(rest.page_info().next_page_token().empty());

  grpc::ClientContext bad_context;
  AuditStack::Authorize(bad_context, stack.admin_token());
  request.mutable_filter()->set_resource_id("something else");
  v1::QueryEventsResponse refused;
  grpc::Status bad_token = stack.audit().QueryEvents(&bad_context, request, &refused);
  CHECK(bad_token.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(bad_token.error_message(), Catch::StartsWith("page.page_token:"));

  grpc::ClientContext by_id;
  AuditStack::Authorize(by_id, stack.admin_token());
  v1::GetEventRequest get;
  get.set_id(events[3].id());
  v1::AuditEvent found;
  REQUIRE(stack.audit().GetEvent(&by_id, get, &found).ok());
  CHECK(found.sequence() == appended.results(3).sequence());
  CHECK(found.hash().size() == 64);
  grpc::ClientContext by_sequence;
  AuditStack::Authorize(by_sequence, stack.admin_token());
  get.set_sequence(found.sequence());
  v1::AuditEvent same;
  REQUIRE(stack.audit().GetEvent(&by_sequence, get, &same).ok());
  CHECK(same.id() == events[3].id());
}

TEST_CASE("exports stream NDJSON and CSV and are audited themselves") {
  AuditStack& stack = AuditStack::Shared();
  std::string resource = absl::StrCat("exp-", ids::NewUuidV7().ToString());
  std::vector<v1::AuditEvent> events;
  for (int i = 0; i < 3; ++i) events.push_back(NewEvent("users.user.update", resource));
  v1::AppendEventsResponse appended;
  REQUIRE(Append(stack.ServiceToken("users"), events, &appended).ok());

  for (v1::ExportFormat format : {v1::EXPORT_FORMAT_NDJSON, v1::EXPORT_FORMAT_CSV}) {
    grpc::ClientContext context;
    AuditStack::Authorize(context, stack.admin_token());
    v1::ExportEventsRequest request;
    request.mutable_filter()->set_resource_id(resource);
    request.set_format(format);
    auto reader = stack.audit().ExportEvents(&context, request);
    std::string data;
    v1::ExportEventsResponse chunk;
    int64_t written = 0;
    while (reader->Read(&chunk)) {
      data += chunk.data();
      written = chunk.events_written();
    }
    grpc::Status status = reader->Finish();
    INFO(status.error_message());
    REQUIRE(status.ok());
    CHECK(written == 3);
    std::vector<std::string> lines = absl::StrSplit(data, '\n', absl::SkipEmpty());
    CHECK(lines.size() == (format == v1::EXPORT_FORMAT_CSV ? 4u : 3u));
    CHECK_THAT(data, Catch::Contains(events[0].id()));
  }
  v1::QueryEventsRequest exports;
  exports.mutable_filter()->add_actions("audit.export.create");
  exports.mutable_filter()->set_service("audit");
  CHECK(QueryOk(exports).events_size() >= 2);

  std::string nobody = stack.CreateUserToken("no-export");
  grpc::ClientContext context;
  AuditStack::Authorize(context, nobody);
  auto reader = stack.audit().ExportEvents(&context, v1::ExportEventsRequest());
  v1::ExportEventsResponse chunk;
  while (reader->Read(&chunk)) {
  }
  CHECK(reader->Finish().error_code() == grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("the checkpoint signs the head with the published key") {
  AuditStack& stack = AuditStack::Shared();
  grpc::ClientContext context;
  AuditStack::Authorize(context, stack.admin_token());
  v1::Checkpoint checkpoint;
  grpc::Status status = stack.audit().GetCheckpoint(&context, {}, &checkpoint);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(checkpoint.sequence() > 0);
  grpc::ClientContext head_context;
  AuditStack::Authorize(head_context, stack.admin_token());
  v1::GetEventRequest get;
  get.set_sequence(checkpoint.sequence());
  v1::AuditEvent head;
  REQUIRE(stack.audit().GetEvent(&head_context, get, &head).ok());
  CHECK(head.hash() == checkpoint.hash());

  std::string message = absl::StrCat(
      "backoffice-audit-checkpoint/v1\n", checkpoint.sequence(), "\n", checkpoint.hash(), "\n",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                       absl::FromUnixSeconds(checkpoint.sign_time().seconds()),
                       absl::UTCTimeZone()));
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(checkpoint.public_key().data()),
      checkpoint.public_key().size());
  REQUIRE(key != nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1);
  CHECK(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(checkpoint.signature().data()),
                         checkpoint.signature().size(),
                         reinterpret_cast<const unsigned char*>(message.data()),
                         message.size()) == 1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
}

TEST_CASE("the users and roles outboxes reach the audit log through their relays") {
  AuditStack& stack = AuditStack::Shared();
  std::string token = stack.CreateUserToken("relayed");  // users: user.created (and a session)
  auto found = [&](const std::string& action) {
    v1::QueryEventsRequest request;
    request.mutable_filter()->add_actions(action);
    return QueryOk(request).events_size();
  };
  // Bounded poll: the relays deliver within moments; the limit only stops a hang.
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline && (found("users.user.created") < 2 || found("roles.*") < 1)) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(found("users.user.created") >= 2);  // the bootstrap admin and "relayed"
  CHECK(found("roles.*") >= 1);             // the bootstrap admin grant
  v1::QueryEventsRequest request;
  request.mutable_filter()->add_actions("users.user.created");
  request.mutable_filter()->set_service("users");
  v1::QueryEventsResponse created = QueryOk(request);
  REQUIRE(created.events_size() >= 1);
  CHECK(created.events(0).resource_type() == "users.user");
  CHECK(created.events(0).actor().type() != common::v1::ACTOR_TYPE_UNSPECIFIED);
}

TEST_CASE("numbers come back as the producer's doubles and the chain verifies") {
  // Doubles Boost.JSON 1.81's own conversion read as a neighbour: before CanonicalJson read
  // numbers with std::from_chars, the first was stored as 92.79111855230533 and VerifyChain,
  // re-reading that from jsonb as 92.79111855230532, reported the event as a hash mismatch.
  AuditStack& stack = AuditStack::Shared();
  const std::vector<double> numbers = {92.79111855230535, 994.2816217920503, -955160329067112.1,
                                       9.767575552580697e-09, 419.24986082959805};
  v1::AuditEvent event = NewEvent("users.user.update");
  for (size_t i = 0; i < numbers.size(); ++i) {
    (*event.mutable_metadata()->mutable_fields())[absl::StrCat("n", i)].set_number_value(
        numbers[i]);
  }
  v1::AppendEventsResponse appended;
  REQUIRE(Append(stack.ServiceToken("users"), {event}, &appended).ok());
  REQUIRE(appended.results(0).status() == v1::APPEND_STATUS_ACCEPTED);

  grpc::ClientContext context;
  AuditStack::Authorize(context, stack.admin_token());
  v1::GetEventRequest get;
  get.set_id(event.id());
  v1::AuditEvent found;
  REQUIRE(stack.audit().GetEvent(&context, get, &found).ok());
  for (size_t i = 0; i < numbers.size(); ++i) {
    INFO(i);
    CHECK(found.metadata().fields().at(absl::StrCat("n", i)).number_value() == numbers[i]);
  }
  v1::VerifyChainResponse verified = VerifyOk();
  INFO(verified.reason() << " at " << verified.first_broken_sequence());
  CHECK(verified.intact());
  CHECK(verified.verified_count() == verified.end_sequence());
}

// Last: it breaks the chain for good.
TEST_CASE("VerifyChain over gRPC finds a row changed in SQL") {
  AuditStack& stack = AuditStack::Shared();
  v1::AppendEventsResponse appended;
  REQUIRE(Append(stack.ServiceToken("users"), {NewEvent("users.user.update")}, &appended).ok());
  v1::VerifyChainResponse intact = VerifyOk();
  CHECK(intact.intact());
  CHECK(intact.verified_count() == intact.end_sequence());

  absl::StatusOr<pg::PooledConnection> conn = stack.pool().Acquire();
  REQUIRE(conn.ok());
  REQUIRE((*conn)
              ->ExecuteScript("SET session_replication_role = replica; "
                              "UPDATE events SET actor_id = 'someone-else' WHERE sequence = 2; "
                              "RESET session_replication_role")
              .ok());
  v1::VerifyChainResponse broken = VerifyOk();
  CHECK_FALSE(broken.intact());
  CHECK(broken.first_broken_sequence() == 2);
  CHECK(broken.reason() == "hash mismatch");
  CHECK(broken.verified_count() == 1);
}

}  // namespace
}  // namespace backoffice::audit::it
