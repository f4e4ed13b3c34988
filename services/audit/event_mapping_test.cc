// Proto <-> domain mapping, CSV/NDJSON export formatting and checkpoint signatures.
#include "services/audit/event_mapping.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/jwt/key.h"
#include "services/audit/checkpoint_signer.h"
#include "services/audit/export_writer.h"
#include "services/audit/store/canonical_json.h"

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

// What EventFromProto wrote before it had its own writer: protobuf's JSON printer, then
// CanonicalJson over the printed text.
absl::StatusOr<std::string> PrintedCanonical(const google::protobuf::Struct& value) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(value, &json).ok()) {
    return absl::InvalidArgumentError("not printable");
  }
  return CanonicalJson(std::string_view(json), "metadata");
}

// EventFromProto's metadata for `value` and the printed path's canonical JSON of the very same
// Struct (the printed path's result for some numbers depends on the order protobuf's Map happens
// to iterate in, so a copy might print differently).
void CheckSameAsPrinted(const google::protobuf::Struct& value) {
  v1::AuditEvent proto = SampleProto();
  *proto.mutable_metadata() = value;
  absl::StatusOr<std::string> printed = PrintedCanonical(proto.metadata());
  absl::StatusOr<Event> mapped = EventFromProto(proto, "events[0]");
  INFO(value.DebugString());
  REQUIRE(printed.ok());
  INFO(mapped.status().ToString());
  REQUIRE(mapped.ok());
  REQUIRE(mapped->metadata.has_value());
  CHECK(*mapped->metadata == *printed);
}

// Both paths' outcome for a Struct one of them may refuse.
std::pair<absl::StatusOr<std::string>, absl::StatusOr<std::string>> BothPaths(
    const google::protobuf::Struct& value) {
  v1::AuditEvent proto = SampleProto();
  *proto.mutable_metadata() = value;
  absl::StatusOr<std::string> printed = PrintedCanonical(proto.metadata());
  absl::StatusOr<Event> event = EventFromProto(proto, "events[0]");
  if (!event.ok()) return {printed, event.status()};
  return {printed, event->metadata.value_or("")};
}

TEST_CASE("Struct fields become the same canonical JSON as printing and re-parsing them") {
  google::protobuf::Struct value;
  auto& fields = *value.mutable_fields();
  fields["zeta"].set_string_value("quote \" backslash \\ slash / tab \t nl \n cr \r \b \f");
  fields["ctl"].set_string_value(std::string("\x01\x1f\x7f", 3));
  fields["\xC3\xA9"].set_string_value("\xE2\x82\xAC \xF0\x9F\x94\x92 \xE2\x80\xA8");
  fields["Z"].set_bool_value(false);
  fields["a"].set_null_value(google::protobuf::NULL_VALUE);
  fields[""].set_bool_value(true);
  fields["empty"].mutable_struct_value();
  fields["list"].mutable_list_value();
  google::protobuf::ListValue* list = fields["mixed"].mutable_list_value();
  list->add_values()->set_number_value(-0.0);
  list->add_values()->set_string_value("x");
  list->add_values()->mutable_list_value()->add_values()->set_number_value(1e21);
  (*list->add_values()->mutable_struct_value()->mutable_fields())["b"].set_number_value(0.1);
  CheckSameAsPrinted(value);
}

TEST_CASE("numbers match the printed path over many doubles") {
  // Plain numbers of at most 15 significant digits.
  const std::vector<double> plain = {
      0,    1,        -1,   0.1,     1.5,     123.456,         4.35,
      1e-5, 100,      1e14, -2.5e-3, 40.7364, 999999999999999, 0.123456789012345,
      -0.0, 1234.5678};
  // Exponents, 16-17 digits, extremes (the printer writes them in exponent form or with 17
  // digits, which CanonicalJson reads back exactly).
  const std::vector<double> extreme = {0.30000000000000004,
                                       2.5e-7,
                                       9007199254740993.0,
                                       12345678901234567890.0,
                                       1e15,
                                       1e21,
                                       1e300,
                                       -1e-300,
                                       std::numeric_limits<double>::max(),
                                       std::numeric_limits<double>::min(),
                                       std::numeric_limits<double>::denorm_min()};
  for (const std::vector<double>* numbers : {&plain, &extreme}) {
    google::protobuf::Struct value;
    for (size_t i = 0; i < numbers->size(); ++i) {
      (*value.mutable_fields())[absl::StrCat("f", i)].set_number_value((*numbers)[i]);
    }
    CheckSameAsPrinted(value);
  }

  // Random decimals, random finite bit patterns, and both mixed.
  std::mt19937_64 random(20261122);
  for (int round = 0; round < 40; ++round) {
    google::protobuf::Struct decimals;
    google::protobuf::Struct bits;
    google::protobuf::Struct mixed;
    for (int i = 0; i < 100; ++i) {
      double number;
      do {
        uint64_t pattern = random();
        std::memcpy(&number, &pattern, sizeof(number));
      } while (!std::isfinite(number));
      const double decimal =
          static_cast<double>(static_cast<int64_t>(random() % 20000000001) - 10000000000) /
          std::pow(10.0, static_cast<double>(random() % 16));
      (*bits.mutable_fields())[absl::StrCat("b", i)].set_number_value(number);
      (*decimals.mutable_fields())[absl::StrCat("d", i)].set_number_value(decimal);
      (*mixed.mutable_fields())[absl::StrCat("m", i)].set_number_value(i == 50 ? number : decimal);
    }
    CheckSameAsPrinted(decimals);
    CheckSameAsPrinted(bits);
    CheckSameAsPrinted(mixed);
  }
}

TEST_CASE("numbers are stored as the producer's doubles, shortest round-trip digits") {
  // Doubles whose 17-digit text Boost.JSON 1.81 read as a neighbouring double, so that the older
  // printed path stored 92.79111855230533 for 92.79111855230535 (store/canonical_test.cc).
  google::protobuf::Struct value;
  auto& fields = *value.mutable_fields();
  fields["a"].set_number_value(92.79111855230535);
  fields["b"].set_number_value(994.2816217920503);
  fields["c"].set_number_value(-955160329067112.1);
  fields["d"].set_number_value(9.767575552580697e-09);
  fields["e"].mutable_list_value()->add_values()->set_number_value(419.24986082959805);
  v1::AuditEvent proto = SampleProto();
  *proto.mutable_metadata() = value;
  absl::StatusOr<Event> event = EventFromProto(proto, "events[0]");
  REQUIRE(event.ok());
  CHECK(event->metadata == R"({"a":92.79111855230535,"b":994.2816217920503,"c":-955160329067112.1,)"
                           R"("d":0.000000009767575552580697,"e":[419.24986082959805]})");
  CheckSameAsPrinted(value);
}

TEST_CASE("deep nesting and a Value without a kind take the printed path") {
  google::protobuf::Struct deep;
  google::protobuf::Struct* level = &deep;
  for (int i = 0; i < 20; ++i) {
    level = (*level->mutable_fields())["n"].mutable_struct_value();
  }
  (*level->mutable_fields())["leaf"].set_number_value(1);
  CheckSameAsPrinted(deep);

  google::protobuf::Struct too_deep;
  level = &too_deep;
  for (int i = 0; i < 40; ++i) {
    level = (*level->mutable_fields())["n"].mutable_struct_value();
  }
  auto [printed, mapped] = BothPaths(too_deep);
  CHECK(printed.ok() == mapped.ok());
  if (printed.ok() && mapped.ok()) CHECK(*printed == *mapped);

  google::protobuf::Struct no_kind;
  (*no_kind.mutable_fields())["unset"];
  (*no_kind.mutable_fields())["set"].set_number_value(2);
  std::tie(printed, mapped) = BothPaths(no_kind);
  INFO(printed.status().ToString() << " / " << mapped.status().ToString());
  CHECK(printed.ok() == mapped.ok());
  if (printed.ok() && mapped.ok()) CHECK(*printed == *mapped);
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
