#include "services/audit/store/canonical_event.h"

#include <openssl/sha.h>

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace backoffice::audit {
namespace {

void AppendField(std::string_view value, std::string& out) {
  uint32_t size = static_cast<uint32_t>(value.size());
  out.push_back(static_cast<char>((size >> 24) & 0xFF));
  out.push_back(static_cast<char>((size >> 16) & 0xFF));
  out.push_back(static_cast<char>((size >> 8) & 0xFF));
  out.push_back(static_cast<char>(size & 0xFF));
  out.append(value);
}

void AppendJson(const std::optional<std::string>& json, std::string& out) {
  AppendField(json.has_value() ? std::string_view(*json) : std::string_view("-"), out);
}

// The fields after the sequence: id through metadata.
// `ingest_time` is the canonical text, empty for the content bytes.
void EncodeAfterSequence(const Event& event, std::string_view ingest_time, std::string& out) {
  AppendField(event.id, out);
  AppendField(CanonicalTime(event.event_time), out);
  AppendField(ingest_time, out);
  for (const std::string* field :
       {&event.actor_type, &event.actor_id, &event.actor_display_name, &event.client_ip,
        &event.user_agent, &event.on_behalf_of_id, &event.action, &event.resource_type,
        &event.resource_id, &event.service, &event.request_id, &event.trace_id, &event.outcome,
        &event.message}) {
    AppendField(*field, out);
  }
  AppendJson(event.before, out);
  AppendJson(event.after, out);
  AppendJson(event.metadata, out);
}

std::string Encode(const Event& event, bool with_store_fields) {
  std::string out;
  out.reserve(512);
  AppendField(kCanonicalEventVersion, out);
  AppendField(with_store_fields ? absl::StrCat(event.sequence) : std::string(), out);
  EncodeAfterSequence(event, with_store_fields ? CanonicalTime(event.ingest_time) : std::string(),
                      out);
  return out;
}

absl::Status CheckPrevHash(std::string_view prev_hash) {
  if (prev_hash.size() != 64) {
    return absl::InvalidArgumentError("prev_hash: must be 64 hex characters");
  }
  for (char c : prev_hash) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return absl::InvalidArgumentError("prev_hash: must be 64 lowercase hex characters");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string CanonicalTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(absl::ToUnixMicros(time)),
                          absl::UTCTimeZone());
}

std::string CanonicalEventBytes(const Event& event) { return Encode(event, true); }

std::string CanonicalContentBytes(const Event& event) { return Encode(event, false); }

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string CanonicalEventBytesAfterSequence(const Event& event,
                                             std::string_view canonical_ingest_time) {
  std::string out;
  out.reserve(512);
  EncodeAfterSequence(event, canonical_ingest_time, out);
  return out;
}

absl::StatusOr<std::string> ChainHash(std::string_view prev_hash,
                                      std::string_view canonical_bytes) {
  if (absl::Status s = CheckPrevHash(prev_hash); !s.ok()) return s;
  std::string input = absl::HexStringToBytes(absl::string_view(prev_hash.data(), prev_hash.size()));
  input.append(canonical_bytes);
  return Sha256Hex(input);
}

absl::StatusOr<std::string> ChainHashAt(std::string_view prev_hash, int64_t sequence,
                                        std::string_view after_sequence) {
  if (absl::Status s = CheckPrevHash(prev_hash); !s.ok()) return s;
  std::string input = absl::HexStringToBytes(absl::string_view(prev_hash.data(), prev_hash.size()));
  input.reserve(input.size() + 64 + after_sequence.size());
  AppendField(kCanonicalEventVersion, input);
  AppendField(absl::StrCat(sequence), input);
  input.append(after_sequence);
  return Sha256Hex(input);
}

}  // namespace backoffice::audit
