// The users service's JWT signing keys, stored in `signing_keys` with each private key sealed by
// a SecretBox (associated data: the kid), and a jwt::KeySource over them for verifying the
// service's own tokens.
//
//   auto ring = SigningKeyRing::Create(pool, box);                 // loads the stored keys
//   if (absl::Status s = (*ring)->EnsureActiveKey(absl::Now()); !s.ok()) return s;  // at start
//   absl::StatusOr<std::shared_ptr<const jwt::PrivateKey>> key = (*ring)->SigningKey(now);
//   absl::StatusOr<std::string> jwks = (*ring)->Jwks(now);          // GetJwks
//   auto verifier = jwt::Verifier::Create({...}, (*ring)->key_source());
//
// Key lifecycle (auth.proto SigningKeyState): a key is published (in the JWKS) from its creation;
// it signs from `activated_at`; Rotate schedules the next key's activation and the current key's
// retirement at the same instant; a retired key stays published until `expires_at` = retired_at +
// the access token lifetime (its last tokens have expired by then), then leaves the JWKS.
//
// Replicas: each replica holds a snapshot of the table and reloads it when it is older than
// `refresh_interval`, and the KeySource reloads (at most once per `unknown_kid_reload_interval`)
// when it meets a kid it does not know, so a key created by another replica is picked up.
// Thread-safe: readers take a shared_ptr to an immutable snapshot.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/jwt/algorithm.h"
#include "libs/jwt/key.h"
#include "libs/jwt/key_set.h"
#include "libs/jwt/key_source.h"
#include "libs/pg/pool.h"
#include "libs/pg/transaction.h"
#include "services/users/credentials/secret_box.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// Settings of a SigningKeyRing.
struct SigningKeyRingOptions {
  /// Lifetime of the access tokens the keys sign: a retired key stays published this long.
  absl::Duration access_token_lifetime = absl::Minutes(15);
  /// A snapshot older than this is reloaded by the next SigningKey, Jwks or GetKeys call.
  absl::Duration refresh_interval = absl::Minutes(1);
  /// The KeySource reloads on an unknown kid at most this often (a flood of forged kids must not
  /// become a flood of queries).
  absl::Duration unknown_kid_reload_interval = absl::Seconds(5);
  /// RSA modulus size of generated RS256 keys.
  int rsa_bits = jwt::kMinRsaBits;
  /// The time the KeySource and the reload timers use (tests move it).
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

/// Lifecycle state of a key at some time (auth.proto SigningKeyState, plus kUnpublished).
enum class SigningKeyState { kNext, kActive, kRetired, kUnpublished };

/// A key's metadata; never the private material.
struct SigningKeyInfo {
  std::string kid;
  jwt::Algorithm algorithm = jwt::Algorithm::kRs256;
  absl::Time created_at;
  /// When it starts (or started) signing.
  absl::Time activated_at;
  /// When it stops (or stopped) signing; unset while it has no successor.
  std::optional<absl::Time> retired_at;
  /// When it leaves the JWKS: retired_at + access token lifetime.
  std::optional<absl::Time> expires_at;

  /// The state at `now`: kNext before activated_at, kActive until retired_at, kRetired until
  /// expires_at, then kUnpublished.
  SigningKeyState StateAt(absl::Time now) const;
};

/// Holds the signing keys; see the file comment.
class SigningKeyRing final {
 public:
  /// Longest RotateSigningKeyRequest.activation_delay.
  static constexpr absl::Duration kMaxActivationDelay = absl::Hours(24);

  /// A ring over `pool` (sessions with search_path = users) that seals private keys with `box`,
  /// loaded once. Errors of Load.
  static absl::StatusOr<std::unique_ptr<SigningKeyRing>> Create(
      pg::Pool& pool, std::shared_ptr<const SecretBox> box, SigningKeyRingOptions options = {});

  SigningKeyRing(const SigningKeyRing&) = delete;
  SigningKeyRing& operator=(const SigningKeyRing&) = delete;

  /// Reads every key from the database into a new snapshot. Private keys are opened only for
  /// keys that may still sign, public keys parsed only for keys still published. DATA_LOSS or
  /// FAILED_PRECONDITION (SecretBox errors) if a private key does not open with the master key.
  absl::Status Load();

  /// Creates an RS256 key that signs from `now` if no key is ACTIVE or NEXT; otherwise does
  /// nothing. Safe when replicas start together: a unique index admits one such key, the losers'
  /// inserts do nothing, and everyone reloads. Writes `signing_key.created` when it creates one.
  absl::Status EnsureActiveKey(absl::Time now);

  /// Creates a key of `algorithm`, published at once, that signs from `now + activation_delay`,
  /// when the current key retires (leaving the JWKS one access token lifetime later). Writes
  /// `signing_key.rotated` with `actor`. INVALID_ARGUMENT `activation_delay` outside 0..24 h;
  /// FAILED_PRECONDITION if a NEXT key is already pending. Returns the new key.
  /// With a `request_id` (at most 128 bytes): a retry by the same actor with the same algorithm
  /// and delay within 24 h returns the key the first call created and changes nothing; the same
  /// request_id with other parameters is ALREADY_EXISTS naming `request_id`.
  absl::StatusOr<SigningKeyInfo> Rotate(jwt::Algorithm algorithm, absl::Duration activation_delay,
                                        const Actor& actor, absl::Time now,
                                        std::string_view request_id = "");

  /// The key that signs at `now`. FAILED_PRECONDITION if there is none (EnsureActiveKey was
  /// never called, or every key is retired).
  absl::StatusOr<std::shared_ptr<const jwt::PrivateKey>> SigningKey(absl::Time now);

  /// Public JWKs (kid, kty, alg, use "sig" and the key members) of the keys published at `now`,
  /// newest first.
  std::vector<boost::json::object> PublicJwks(absl::Time now);

  /// The same keys as a JWKS JSON document {"keys":[...]}.
  std::string Jwks(absl::Time now);

  /// Metadata of all keys, newest first; without `include_unpublished`, only those still
  /// published at `now`.
  std::vector<SigningKeyInfo> Keys(bool include_unpublished, absl::Time now);

  /// A KeySource with the keys published at `options.clock()`, reloading on an unknown kid (rate
  /// limited). The ring must outlive it.
  std::shared_ptr<jwt::KeySource> key_source() { return key_source_; }

  /// The access token lifetime the ring was configured with.
  absl::Duration access_token_lifetime() const { return options_.access_token_lifetime; }

  /// How many times Load ran (for tests of the reload rate limit).
  int64_t load_count() const;

 private:
  // Claims `request_id` for a rotation creating `kid`: "" if this call owns it (rotate), else the
  // kid an earlier identical call created; ALREADY_EXISTS for the same id with other parameters.
  absl::StatusOr<std::string> ClaimRotation(pg::Transaction& tx, jwt::Algorithm algorithm,
                                            absl::Duration activation_delay, const Actor& actor,
                                            std::string_view request_id, const std::string& kid);

  struct Entry {
    SigningKeyInfo info;
    // Null for keys that can no longer sign.
    std::shared_ptr<const jwt::PrivateKey> private_key;
    // Empty for keys no longer published.
    boost::json::object public_jwk;
  };
  struct Snapshot {
    std::vector<Entry> keys;  // newest first
    absl::Time loaded_at;
  };
  struct PublishedSet {
    std::shared_ptr<const Snapshot> snapshot;
    absl::Time valid_from = absl::InfiniteFuture();
    absl::Time valid_until = absl::InfinitePast();
    std::shared_ptr<const jwt::KeySet> keys;
  };
  class RingKeySource;

  SigningKeyRing(pg::Pool& pool, std::shared_ptr<const SecretBox> box,
                 SigningKeyRingOptions options);

  std::shared_ptr<const Snapshot> Current() const;
  // Current(), reloaded first when older than refresh_interval (a failed reload keeps the old).
  std::shared_ptr<const Snapshot> Fresh();
  // The published key set at the clock's now, built once per snapshot and time window.
  std::shared_ptr<const jwt::KeySet> PublishedKeys(bool reload_if_missing_kid,
                                                   std::optional<std::string_view> kid);
  absl::StatusOr<std::string> SealNewKey(const jwt::PrivateKey& key, std::string* public_jwk) const;

  pg::Pool& pool_;
  const std::shared_ptr<const SecretBox> box_;
  const SigningKeyRingOptions options_;
  std::shared_ptr<jwt::KeySource> key_source_;

  mutable absl::Mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(mutex_);
  PublishedSet published_ ABSL_GUARDED_BY(mutex_);
  absl::Time last_unknown_kid_reload_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
  int64_t load_count_ ABSL_GUARDED_BY(mutex_) = 0;
  // Serializes Load so two reloads do not race to install older data.
  absl::Mutex load_mutex_;
};

}  // namespace backoffice::users
