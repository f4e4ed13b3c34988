#include "services/roles/store/store_support.h"

#include <openssl/sha.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/ids/uuid.h"
#include "libs/outbox/outbox.h"

namespace backoffice::roles {
namespace {

constexpr absl::Duration kTokenTtl = absl::Hours(24);

std::string BindingHash(std::string_view binding) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(binding.data()), binding.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

absl::Status BadToken(std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("page.page_token: ", Absl(why)));
}

}  // namespace

absl::Status NotifyChange(pg::Transaction& tx, std::string_view payload) {
  return tx.Execute("SELECT pg_notify($1, $2)", {kChangeChannel, payload}).status();
}

absl::Status AppendEvent(pg::Transaction& tx, const Actor& actor, std::string_view aggregate_type,
                         std::string_view aggregate_id, std::string_view event_type,
                         std::string before, std::string after, std::string metadata) {
  return outbox::AppendToOutbox(tx, outbox::OutboxEvent{
                                        .id = ids::NewUuidV7(),
                                        .aggregate_type = std::string(aggregate_type),
                                        .aggregate_id = std::string(aggregate_id),
                                        .event_type = std::string(event_type),
                                        .actor_type = actor.type,
                                        .actor_id = actor.id,
                                        .request_id = actor.request_id,
                                        .trace_id = actor.trace_id,
                                        .before = std::move(before),
                                        .after = std::move(after),
                                        .metadata = std::move(metadata),
                                        .occurred_at = absl::Now(),
                                    });
}

std::string ArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::vector<std::string> SplitList(std::string_view text) {
  if (text.empty()) {
    return {};
  }
  return absl::StrSplit(Absl(text), ',');
}

std::string EncodePageToken(std::string_view binding, const PagePosition& position,
                            absl::Time now) {
  std::string raw =
      absl::StrCat("1\n", BindingHash(binding), "\n", absl::ToUnixSeconds(now + kTokenTtl), "\n",
                   position.id, "\n", position.key);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PagePosition> DecodePageToken(std::string_view token, std::string_view binding,
                                             absl::Time now) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(Absl(token), &raw)) {
    return BadToken("malformed");
  }
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('\n', 4));
  int64_t expiry = 0;
  if (parts.size() != 5 || parts[0] != "1" || !absl::SimpleAtoi(parts[2], &expiry)) {
    return BadToken("malformed");
  }
  if (parts[1] != BindingHash(binding)) {
    return BadToken("issued for other filters or sort");
  }
  if (absl::FromUnixSeconds(expiry) < now) {
    return BadToken("expired");
  }
  if (!ids::ParseUuid(parts[3]).ok()) {
    return BadToken("malformed");
  }
  return PagePosition{.key = std::move(parts[4]), .id = std::move(parts[3])};
}

absl::StatusOr<int> PageSize(int requested, int default_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError("page.page_size: must not be negative");
  }
  if (requested == 0) {
    return default_size;
  }
  return std::min(requested, 500);
}

}  // namespace backoffice::roles
