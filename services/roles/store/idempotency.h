// Idempotency keys for creating calls (table `idempotency_keys`, migration 0004). Internal to
// services/roles/store.
//
//   IdempotencyKey key{.operation = "CreateRole", .caller = "user:0190...", .request_id = "k1"};
//   absl::StatusOr<std::optional<std::string>> first =
//       ClaimIdempotencyKey(tx, key, RequestFingerprint({...}), new_id, absl::Hours(24));
//   if (!first.ok()) return first.status();  // ALREADY_EXISTS: the key names another request
//   if (first->has_value()) { /* a retry: answer with **first, write nothing */ }
//   else { /* this transaction owns the key: create new_id */ }
//
// The claim is made in the creating transaction, so a create that fails leaves no key behind,
// and a concurrent request with the same key waits for the first one's commit or rollback.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/transaction.h"

namespace backoffice::roles {

/// The longest request_id accepted (the column's CHECK).
inline constexpr size_t kMaxRequestIdBytes = 128;

/// Who asked for what under which key; keys are per operation and per caller.
struct IdempotencyKey {
  /// The RPC, e.g. "CreateRole".
  std::string operation;
  /// "<actor_type>:<actor_id>".
  std::string caller;
  /// The caller's key (1 to kMaxRequestIdBytes bytes).
  std::string request_id;
};

/// SHA-256 of the parts, each length-prefixed (so that no two different part lists share an
/// encoding). Callers pass the normalized request, in a fixed order.
std::string RequestFingerprint(std::initializer_list<std::string_view> parts);

/// Claims `key` for this transaction with `fingerprint` and the id the request is about to
/// create, kept for `ttl` (an expired claim is taken over). Returns std::nullopt if this
/// transaction now owns the key; the id the first request created if a live claim with the same
/// fingerprint exists; ALREADY_EXISTS naming `request_id` if the live claim has another
/// fingerprint.
absl::StatusOr<std::optional<std::string>> ClaimIdempotencyKey(pg::Transaction& tx,
                                                               const IdempotencyKey& key,
                                                               std::string_view fingerprint,
                                                               std::string_view resource_id,
                                                               absl::Duration ttl);

}  // namespace backoffice::roles
