// Proto <-> domain mapping, CSV/NDJSON export formatting and checkpoint signatures.
#include "services/audit/event_mapping.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "libs/jwt/key.h"
#include "services/audit/checkpoint_signer.h"
#include "services/audit/export_writer.h"

namespace backoffice::audit {
namespace {

v1::AuditEvent SampleProto() {
  v1::AuditEvent proto;
  proto.set_id("0190b5f2-7c1e-7d3a-9f00-0123456789ab");
  proto.mutable_event_time()->set_seconds(1714564800);
  proto.mutable_event_time()->set_nanos(123456789);
  proto.mutable_actor()->set_type(common::v1::ACTOR_TYPE_USER);
  proto.mutable_actor()->set_id("u-1");
  proto.mutable_actor()->set_ip_address("192.0.2.1");
  proto.set_action("users.user.update");
  proto.set_resource_type("users.User");
  proto.set_service("users");
  proto.set_outcome(v1::OUTCOME_SUCCESS);
  (*proto.mutable_after()->mutable_fields())["z"].set_number_value(2);
  (*proto.mutable_after()->mutable_fields())["a"].set_string_value("x");
  return proto;
}

TEST_CASE("an AuditEvent maps to an Event with canonical JSON and back") {
  absl::StatusOr<Event> event = EventFromProto(SampleProto(), "events[0]");
  REQUIRE(event.ok());
  CHECK(event->actor_type == "user");
  CHECK(event->client_ip == "192.0.2.1");
  CHECK(event->outcome == "success");
  CHECK(event->after == R"({"a":"x","z":2})");
  CHECK_FALSE(event->before.has_value());
  event->event_time = absl::FromUnixMicros(absl::ToUnixMicros(event->event_time));
  v1::AuditEvent back;
  REQUIRE(EventToProto(*event, &back).ok());
  CHECK(back.event_time().nanos() == 123456000);
  CHECK(back.after().fields().at("z").number_value() == 2);
  CHECK_FALSE(back.has_before());
  CHECK(back.actor().type() == common::v1::ACTOR_TYPE_USER);

  v1::AuditEvent nan = SampleProto();
  (*nan.mutable_metadata()->mutable_fields())["n"].set_number_value(std::nan(""));
  CHECK(EventFromProto(nan, "events[4]").status().message() ==
        "events[4].metadata: numbers must be finite (no NaN or infinity)");
}

TEST_CASE("filters map and are validated") {
  v1::EventFilter proto;
  proto.add_actions("users.*");
  proto.set_outcome(v1::OUTCOME_DENIED);
  proto.set_actor_type(common::v1::ACTOR_TYPE_SERVICE_ACCOUNT);
  absl::StatusOr<EventFilter> filter = FilterFromProto(proto);
  REQUIRE(filter.ok());
  CHECK(filter->outcome == "denied");
  CHECK(filter->actor_type == "service");
  proto.add_actions("DROP TABLE");
  CHECK(FilterFromProto(proto).status().message() ==
        "filter.actions[1]: must be an action (`users.user.update`) or a prefix ending in `.*`");
}

TEST_CASE("a retention boundary maps to the Verify answer") {
  RetentionBoundary boundary{.log_id = 3,
                             .first_retained_sequence = 6,
                             .first_retained_prev_hash = std::string(64, 'c'),
                             .applied_time = absl::FromUnixSeconds(1'700'000'000),
                             .dropped_partitions = {"events_p202301", "events_p202302"},
                             .events_removed = 5,
                             .event_id = "0190c0de-0000-7000-8000-0000000000aa",
                             .event_sequence = 8};
  v1::RetentionBoundary proto;
  RetentionBoundaryToProto(boundary, proto);
  CHECK(proto.first_retained_sequence() == 6);
  CHECK(proto.first_retained_prev_hash() == std::string(64, 'c'));
  CHECK(proto.applied_time().seconds() == 1'700'000'000);
  CHECK(proto.events_removed() == 5);
  REQUIRE(proto.dropped_partitions_size() == 2);
  CHECK(proto.dropped_partitions(1) == "events_p202302");
  CHECK(proto.retention_event_id() == boundary.event_id);
  CHECK(proto.retention_event_sequence() == 8);
}

TEST_CASE("CSV cells are quoted and neutralized") {
  CHECK(CsvCell("plain") == "plain");
  CHECK(CsvCell("a,b") == "\"a,b\"");
  CHECK(CsvCell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvCell("=cmd()") == "'=cmd()");
  CHECK(CsvCell("-1,2") == "\"'-1,2\"");
}

Event StoredEvent(int64_t sequence, size_t message_bytes = 10) {
  absl::StatusOr<Event> event = EventFromProto(SampleProto(), "e");
  REQUIRE(event.ok());
  event->sequence = sequence;
  event->message = std::string(message_bytes, 'm');
  event->prev_hash = std::string(64, '0');
  event->hash = std::string(64, 'a');
  return *event;
}

TEST_CASE("exports write CSV with a header and NDJSON in the proto3 JSON mapping") {
  ExportWriter csv(v1::EXPORT_FORMAT_CSV);
  REQUIRE(csv.Add(StoredEvent(1)).ok());
  std::string text = csv.TakeChunk();
  CHECK(text.rfind(kCsvHeader, 0) == 0);
  CHECK_THAT(text, Catch::Contains("1,0190b5f2-7c1e-7d3a-9f00-0123456789ab,2024-05-01T12:00:00."));
  CHECK_THAT(text, Catch::Contains(R"("{""a"":""x"",""z"":2}")"));
  CHECK(csv.events_taken() == 1);

  ExportWriter ndjson(v1::EXPORT_FORMAT_UNSPECIFIED);
  REQUIRE(ndjson.Add(StoredEvent(7)).ok());
  std::string line = ndjson.TakeChunk();
  REQUIRE(line.back() == '\n');
  v1::AuditEvent parsed;
  REQUIRE(
      google::protobuf::util::JsonStringToMessage(line.substr(0, line.size() - 1), &parsed).ok());
  CHECK(parsed.sequence() == 7);
  CHECK(parsed.after().fields().at("a").string_value() == "x");
}

TEST_CASE("export chunks stay within 64 KiB and end on records") {
  ExportWriter out(v1::EXPORT_FORMAT_NDJSON);
  std::vector<std::string> chunks;
  for (int i = 1; i <= 300; ++i) {
    REQUIRE(out.Add(StoredEvent(i, 900)).ok());
    if (out.ready()) chunks.push_back(out.TakeChunk());
  }
  chunks.push_back(out.TakeChunk());
  REQUIRE(chunks.size() > 3);
  size_t lines = 0;
  for (const std::string& chunk : chunks) {
    CHECK(chunk.size() <= kMaxExportChunkBytes);
    CHECK(chunk.back() == '\n');
    lines += std::count(chunk.begin(), chunk.end(), '\n');
  }
  CHECK(lines == 300);
  CHECK(out.events_taken() == 300);
}

TEST_CASE("checkpoints verify with the published raw public key") {
  absl::StatusOr<std::unique_ptr<CheckpointSigner>> signer = CheckpointSigner::Generate();
  REQUIRE(signer.ok());
  absl::StatusOr<SignedCheckpoint> checkpoint = (*signer)->Sign(
      {.sequence = 42, .hash = std::string(64, 'b')}, absl::FromUnixMillis(1714564800999));
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->sign_time == absl::FromUnixSeconds(1714564800));
  CHECK(checkpoint->signature.size() == 64);
  CHECK(checkpoint->public_key.size() == 32);
  CHECK(checkpoint->key_id.rfind("ed25519-", 0) == 0);
  std::string message = CheckpointMessage(42, std::string(64, 'b'), checkpoint->sign_time);
  CHECK(message ==
        "backoffice-audit-checkpoint/v1\n42\n" + std::string(64, 'b') + "\n2024-05-01T12:00:00Z");

  // Verified with plain OpenSSL from the 32 raw bytes, as an auditor would.
  auto verifies = [&](const std::string& signed_message) {
    EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(checkpoint->public_key.data()), 32);
    REQUIRE(raw != nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    REQUIRE(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, raw) == 1);
    int ok = EVP_DigestVerify(
        ctx, reinterpret_cast<const unsigned char*>(checkpoint->signature.data()),
        checkpoint->signature.size(), reinterpret_cast<const unsigned char*>(signed_message.data()),
        signed_message.size());
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(raw);
    return ok == 1;
  };
  CHECK(verifies(message));
  CHECK_FALSE(verifies(message + "x"));

  CHECK(CheckpointSigner::FromPem("not a key").status().code() ==
        absl::StatusCode::kInvalidArgument);
  absl::StatusOr<jwt::PrivateKey> rsa = jwt::PrivateKey::Generate(jwt::Algorithm::kEs256, "");
  REQUIRE(rsa.ok());
  CHECK(CheckpointSigner::FromPem(*rsa->ToPem()).status().message() ==
        "checkpoint key: must be an Ed25519 private key");
}

}  // namespace
}  // namespace backoffice::audit
