#include "services/roles/store/idempotency.h"

#include <openssl/sha.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/pg/params.h"
#include "services/roles/store/queries.h"

namespace backoffice::roles {

std::string RequestFingerprint(std::initializer_list<std::string_view> parts) {
  std::string description;
  for (std::string_view part : parts) {
    absl::StrAppend(&description, part.size(), ":", absl::string_view(part.data(), part.size()),
                    "|");
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(description.data()), description.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

absl::StatusOr<std::optional<std::string>> ClaimIdempotencyKey(pg::Transaction& tx,
                                                               const IdempotencyKey& key,
                                                               std::string_view fingerprint,
                                                               std::string_view resource_id,
                                                               absl::Duration ttl) {
  absl::StatusOr<pg::Result> claimed =
      tx.Execute(sql::kClaimIdempotencyKey,
                 {key.operation, key.caller, key.request_id, pg::Bytea{std::string(fingerprint)},
                  std::string(resource_id), absl::ToInt64Seconds(ttl)});
  if (!claimed.ok()) return claimed.status();
  if (!claimed->empty()) return std::nullopt;
  absl::StatusOr<pg::Result> existing =
      tx.Execute(sql::kSelectIdempotencyKey, {key.operation, key.caller, key.request_id});
  if (!existing.ok()) return existing.status();
  // The claim that blocked ours cannot vanish: expired rows are only taken over, never deleted.
  if (existing->empty()) return absl::AbortedError("request_id: claim vanished; retry");
  absl::StatusOr<pg::Bytea> hash = (*existing)[0].Get<pg::Bytea>(0);
  if (!hash.ok()) return hash.status();
  absl::StatusOr<std::string> first_id = (*existing)[0].Get<std::string>(1);
  if (!first_id.ok()) return first_id.status();
  if (hash->data != fingerprint) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id: already used for a different ", key.operation, " request"));
  }
  return std::optional<std::string>(*std::move(first_id));
}

}  // namespace backoffice::roles
