#include "services/users/auth/signing_key_ring.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"
#include "libs/jwt/jwk.h"
#include "libs/outbox/outbox.h"
#include "libs/pg/error.h"
#include "libs/pg/with_transaction.h"
#include "services/users/auth/auth_events.h"
#include "services/users/auth/auth_queries.h"
#include "services/users/store/queries.h"

namespace backoffice::users {
namespace {

namespace json = boost::json;

absl::StatusOr<SigningKeyInfo> InfoFromRow(const pg::Row& row) {
  absl::StatusOr<std::string> kid = row.Get<std::string>("kid");
  absl::StatusOr<std::string> algorithm = row.Get<std::string>("algorithm");
  absl::StatusOr<absl::Time> created_at = row.Get<absl::Time>("created_at");
  absl::StatusOr<std::optional<absl::Time>> activated_at =
      row.Get<std::optional<absl::Time>>("activated_at");
  absl::StatusOr<std::optional<absl::Time>> retired_at =
      row.Get<std::optional<absl::Time>>("retired_at");
  absl::StatusOr<std::optional<absl::Time>> expires_at =
      row.Get<std::optional<absl::Time>>("expires_at");
  for (const absl::Status& status :
       {kid.status(), algorithm.status(), created_at.status(), activated_at.status(),
        retired_at.status(), expires_at.status()}) {
    if (!status.ok()) {
      return status;
    }
  }
  std::optional<jwt::Algorithm> parsed = jwt::AlgorithmFromName(*algorithm);
  if (!parsed) {
    return absl::InternalError(absl::StrCat("signing key ", *kid, ": unknown algorithm"));
  }
  SigningKeyInfo info;
  info.kid = *kid;
  info.algorithm = *parsed;
  info.created_at = *created_at;
  // A key without activated_at (none is written so) is treated as never signing.
  info.activated_at = activated_at->value_or(absl::InfiniteFuture());
  info.retired_at = *retired_at;
  info.expires_at = *expires_at;
  return info;
}

bool Published(const SigningKeyInfo& info, absl::Time now) {
  return !info.expires_at || now < *info.expires_at;
}

std::string KeyEventJson(const SigningKeyInfo& info) {
  json::object object;
  object["kid"] = info.kid;
  object["algorithm"] = std::string(jwt::AlgorithmName(info.algorithm));
  object["created_at"] = TimeJson(info.created_at);
  object["activated_at"] = TimeJson(info.activated_at);
  return json::serialize(object);
}

}  // namespace

SigningKeyState SigningKeyInfo::StateAt(absl::Time now) const {
  if (now < activated_at) {
    return SigningKeyState::kNext;
  }
  if (!retired_at || now < *retired_at) {
    return SigningKeyState::kActive;
  }
  if (!expires_at || now < *expires_at) {
    return SigningKeyState::kRetired;
  }
  return SigningKeyState::kUnpublished;
}

class SigningKeyRing::RingKeySource final : public jwt::KeySource {
 public:
  explicit RingKeySource(SigningKeyRing* ring) : ring_(ring) {}

  std::shared_ptr<const jwt::KeySet> GetKeys(std::optional<std::string_view> kid) override {
    return ring_->PublishedKeys(/*reload_if_missing_kid=*/true, kid);
  }

 private:
  SigningKeyRing* ring_;
};

SigningKeyRing::SigningKeyRing(pg::Pool& pool, std::shared_ptr<const SecretBox> box,
                               SigningKeyRingOptions options)
    : pool_(pool), box_(std::move(box)), options_(std::move(options)) {
  key_source_ = std::make_shared<RingKeySource>(this);
  snapshot_ = std::make_shared<const Snapshot>();
}

absl::StatusOr<std::unique_ptr<SigningKeyRing>> SigningKeyRing::Create(
    pg::Pool& pool, std::shared_ptr<const SecretBox> box, SigningKeyRingOptions options) {
  if (box == nullptr) {
    return absl::InvalidArgumentError("signing key ring: no SecretBox");
  }
  if (options.access_token_lifetime <= absl::ZeroDuration() || !options.clock) {
    return absl::InvalidArgumentError(
        "signing key ring: access_token_lifetime must be positive and clock set");
  }
  std::unique_ptr<SigningKeyRing> ring(
      new SigningKeyRing(pool, std::move(box), std::move(options)));
  if (absl::Status status = ring->Load(); !status.ok()) {
    return status;
  }
  return ring;
}

absl::Status SigningKeyRing::Load() {
  absl::MutexLock load_lock(&load_mutex_);
  const absl::Time now = options_.clock();
  {
    absl::MutexLock lock(&mutex_);
    ++load_count_;
  }
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) {
    return conn.status();
  }
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(auth_sql::kLoadSigningKeys);
  if (!rows.ok()) {
    return rows.status();
  }
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->loaded_at = now;
  for (const pg::Row& row : *rows) {
    absl::StatusOr<SigningKeyInfo> info = InfoFromRow(row);
    if (!info.ok()) {
      return info.status();
    }
    Entry entry{.info = *std::move(info)};
    if (!entry.info.retired_at || now < *entry.info.retired_at) {
      absl::StatusOr<pg::Bytea> sealed = row.Get<pg::Bytea>("private_key_encrypted");
      if (!sealed.ok()) {
        return sealed.status();
      }
      absl::StatusOr<std::string> pem = box_->Open(sealed->data, entry.info.kid);
      if (!pem.ok()) {
        return absl::Status(pem.status().code(),
                            absl::StrCat("signing key ", entry.info.kid,
                                         ": private key does not open: ", pem.status().message()));
      }
      absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::FromPem(*pem, entry.info.kid);
      if (!key.ok()) {
        return absl::InternalError(
            absl::StrCat("signing key ", entry.info.kid, ": ", key.status().message()));
      }
      entry.private_key = std::make_shared<const jwt::PrivateKey>(*std::move(key));
    }
    if (Published(entry.info, now)) {
      absl::StatusOr<std::string_view> text = row.Get<std::string_view>("public_jwk");
      if (!text.ok()) {
        return text.status();
      }
      boost::system::error_code error;
      json::value value = json::parse(json::string_view(text->data(), text->size()), error);
      if (error || !value.is_object()) {
        return absl::InternalError(
            absl::StrCat("signing key ", entry.info.kid, ": public_jwk is not a JSON object"));
      }
      entry.public_jwk = std::move(value.get_object());
    }
    snapshot->keys.push_back(std::move(entry));
  }
  absl::MutexLock lock(&mutex_);
  snapshot_ = std::move(snapshot);
  published_ = PublishedSet{};
  return absl::OkStatus();
}

int64_t SigningKeyRing::load_count() const {
  absl::MutexLock lock(&mutex_);
  return load_count_;
}

std::shared_ptr<const SigningKeyRing::Snapshot> SigningKeyRing::Current() const {
  absl::MutexLock lock(&mutex_);
  return snapshot_;
}

std::shared_ptr<const SigningKeyRing::Snapshot> SigningKeyRing::Fresh() {
  std::shared_ptr<const Snapshot> snapshot = Current();
  if (options_.clock() - snapshot->loaded_at < options_.refresh_interval) {
    return snapshot;
  }
  if (!Load().ok()) {
    // Keep serving the old keys; retry after another interval rather than on every call.
    auto retry = std::make_shared<Snapshot>(*snapshot);
    retry->loaded_at = options_.clock();
    absl::MutexLock lock(&mutex_);
    if (snapshot_ == snapshot) {
      snapshot_ = retry;
      published_ = PublishedSet{};
    }
  }
  return Current();
}

std::shared_ptr<const jwt::KeySet> SigningKeyRing::PublishedKeys(
    bool reload_if_missing_kid, std::optional<std::string_view> kid) {
  const absl::Time now = options_.clock();
  auto build = [&](std::shared_ptr<const Snapshot> snapshot) {
    PublishedSet set{.snapshot = snapshot,
                     .valid_from = absl::InfinitePast(),
                     .valid_until = absl::InfiniteFuture()};
    std::vector<jwt::PublicKey> keys;
    for (const Entry& entry : snapshot->keys) {
      if (entry.info.expires_at) {
        if (*entry.info.expires_at <= now) {
          set.valid_from = std::max(set.valid_from, *entry.info.expires_at);
        } else {
          set.valid_until = std::min(set.valid_until, *entry.info.expires_at);
        }
      }
      if (!Published(entry.info, now) || entry.public_jwk.empty()) {
        continue;
      }
      absl::StatusOr<std::optional<jwt::PublicKey>> key = jwt::ParseJwk(entry.public_jwk);
      if (key.ok() && key->has_value()) {
        keys.push_back(**std::move(key));
      }
    }
    absl::StatusOr<jwt::KeySet> key_set = jwt::KeySet::Create(std::move(keys));
    set.keys =
        std::make_shared<const jwt::KeySet>(key_set.ok() ? *std::move(key_set) : jwt::KeySet());
    absl::MutexLock lock(&mutex_);
    if (snapshot_ == snapshot) {
      published_ = set;
    }
    return set.keys;
  };

  std::shared_ptr<const Snapshot> snapshot = Fresh();
  std::shared_ptr<const jwt::KeySet> keys;
  {
    absl::MutexLock lock(&mutex_);
    if (published_.snapshot == snapshot && published_.valid_from <= now &&
        now < published_.valid_until) {
      keys = published_.keys;
    }
  }
  if (keys == nullptr) {
    keys = build(snapshot);
  }
  if (reload_if_missing_kid && kid.has_value() && keys->Find(*kid) == nullptr) {
    bool reload = false;
    {
      absl::MutexLock lock(&mutex_);
      if (now - last_unknown_kid_reload_ >= options_.unknown_kid_reload_interval) {
        last_unknown_kid_reload_ = now;
        reload = true;
      }
    }
    if (reload && Load().ok()) {
      keys = build(Current());
    }
  }
  return keys;
}

absl::StatusOr<std::shared_ptr<const jwt::PrivateKey>> SigningKeyRing::SigningKey(absl::Time now) {
  std::shared_ptr<const Snapshot> snapshot = Fresh();
  for (const Entry& entry : snapshot->keys) {
    if (entry.private_key != nullptr && entry.info.StateAt(now) == SigningKeyState::kActive) {
      return entry.private_key;
    }
  }
  return absl::FailedPreconditionError("no active signing key");
}

std::vector<boost::json::object> SigningKeyRing::PublicJwks(absl::Time now) {
  std::vector<boost::json::object> out;
  for (const Entry& entry : Fresh()->keys) {
    if (Published(entry.info, now) && !entry.public_jwk.empty()) {
      out.push_back(entry.public_jwk);
    }
  }
  return out;
}

std::string SigningKeyRing::Jwks(absl::Time now) {
  json::array keys;
  for (json::object& jwk : PublicJwks(now)) {
    keys.emplace_back(std::move(jwk));
  }
  json::object document;
  document["keys"] = std::move(keys);
  return json::serialize(document);
}

std::vector<SigningKeyInfo> SigningKeyRing::Keys(bool include_unpublished, absl::Time now) {
  std::vector<SigningKeyInfo> out;
  for (const Entry& entry : Fresh()->keys) {
    if (include_unpublished || Published(entry.info, now)) {
      out.push_back(entry.info);
    }
  }
  return out;
}

absl::StatusOr<std::string> SigningKeyRing::SealNewKey(const jwt::PrivateKey& key,
                                                       std::string* public_jwk) const {
  absl::StatusOr<std::string> pem = key.ToPem();
  if (!pem.ok()) {
    return pem.status();
  }
  absl::StatusOr<jwt::PublicKey> public_key = key.GetPublicKey();
  if (!public_key.ok()) {
    return public_key.status();
  }
  absl::StatusOr<json::object> jwk = public_key->ToJwk();
  if (!jwk.ok()) {
    return jwk.status();
  }
  *public_jwk = json::serialize(*jwk);
  return box_->Seal(*pem, key.kid());
}

absl::Status SigningKeyRing::EnsureActiveKey(absl::Time now) {
  if (absl::Status status = Load(); !status.ok()) {
    return status;
  }
  for (const Entry& entry : Current()->keys) {
    if (!entry.info.retired_at) {
      return absl::OkStatus();
    }
  }
  const std::string kid = ids::NewUuidV7().ToString();
  absl::StatusOr<jwt::PrivateKey> key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kRs256, kid, options_.rsa_bits);
  if (!key.ok()) {
    return key.status();
  }
  std::string public_jwk;
  absl::StatusOr<std::string> sealed = SealNewKey(*key, &public_jwk);
  if (!sealed.ok()) {
    return sealed.status();
  }
  const SigningKeyInfo info{
      .kid = kid, .algorithm = jwt::Algorithm::kRs256, .created_at = now, .activated_at = now};
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<pg::Result> inserted =
        tx.Execute(auth_sql::kInsertFirstSigningKey,
                   {kid, std::string(jwt::AlgorithmName(jwt::Algorithm::kRs256)), public_jwk,
                    pg::Bytea{*sealed}, now});
    if (!inserted.ok()) {
      return inserted.status();
    }
    if (inserted->affected_rows() == 0) {
      return absl::OkStatus();  // another replica's key won
    }
    return outbox::AppendToOutbox(tx, {.id = ids::NewUuidV7(),
                                       .aggregate_type = "signing_key",
                                       .aggregate_id = kid,
                                       .event_type = "signing_key.created",
                                       .actor_type = outbox::kActorSystem,
                                       .after = KeyEventJson(info),
                                       .occurred_at = now});
  });
  if (!status.ok()) {
    return status;
  }
  return Load();
}

absl::StatusOr<SigningKeyInfo> SigningKeyRing::Rotate(jwt::Algorithm algorithm,
                                                      absl::Duration activation_delay,
                                                      const Actor& actor, absl::Time now,
                                                      std::string_view request_id) {
  if (activation_delay < absl::ZeroDuration() || activation_delay > kMaxActivationDelay) {
    return absl::InvalidArgumentError("activation_delay: must be between 0 and 24 hours");
  }
  if (request_id.size() > 128) {
    return absl::InvalidArgumentError("request_id: must be at most 128 bytes");
  }
  const std::string kid = ids::NewUuidV7().ToString();
  absl::StatusOr<jwt::PrivateKey> key =
      jwt::PrivateKey::Generate(algorithm, kid, options_.rsa_bits);
  if (!key.ok()) {
    return key.status();
  }
  std::string public_jwk;
  absl::StatusOr<std::string> sealed = SealNewKey(*key, &public_jwk);
  if (!sealed.ok()) {
    return sealed.status();
  }
  SigningKeyInfo info{.kid = kid, .algorithm = algorithm, .created_at = now};
  std::string first_kid;  // set when request_id names an earlier rotation
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    if (!request_id.empty()) {
      absl::StatusOr<std::string> earlier =
          ClaimRotation(tx, algorithm, activation_delay, actor, request_id, kid);
      if (!earlier.ok()) return earlier.status();
      if (!earlier->empty()) {
        first_kid = *earlier;
        return absl::OkStatus();  // a retry: nothing to write
      }
    }
    absl::StatusOr<pg::Result> current = tx.Execute(auth_sql::kLockCurrentSigningKey);
    if (!current.ok()) {
      return current.status();
    }
    info.activated_at = now + activation_delay;
    std::string retired_kid;
    if (!current->empty()) {
      absl::StatusOr<std::string> current_kid = (*current)[0].Get<std::string>("kid");
      absl::StatusOr<absl::Time> activated = (*current)[0].Get<absl::Time>("activated_at");
      if (!current_kid.ok() || !activated.ok()) {
        return current_kid.ok() ? activated.status() : current_kid.status();
      }
      if (*activated > now) {
        return absl::FailedPreconditionError("a NEXT signing key is already pending activation");
      }
      info.activated_at = std::max(info.activated_at, *activated);
      absl::StatusOr<pg::Result> retired = tx.Execute(
          auth_sql::kRetireSigningKey,
          {*current_kid, info.activated_at, info.activated_at + options_.access_token_lifetime});
      if (!retired.ok()) {
        return retired.status();
      }
      retired_kid = *current_kid;
    }
    absl::StatusOr<pg::Result> inserted = tx.Execute(
        auth_sql::kInsertSigningKey, {kid, std::string(jwt::AlgorithmName(algorithm)), public_jwk,
                                      pg::Bytea{*sealed}, now, info.activated_at});
    if (pg::SqlState(inserted.status()) == pg::kUniqueViolation) {
      return absl::AbortedError("a concurrent rotation created a key; retry");
    }
    if (!inserted.ok()) {
      return inserted.status();
    }
    json::object metadata;
    metadata["retired_kid"] = retired_kid;
    return outbox::AppendToOutbox(tx, {.id = ids::NewUuidV7(),
                                       .aggregate_type = "signing_key",
                                       .aggregate_id = kid,
                                       .event_type = "signing_key.rotated",
                                       .actor_type = actor.type,
                                       .actor_id = actor.id,
                                       .request_id = actor.request_id,
                                       .trace_id = actor.trace_id,
                                       .after = KeyEventJson(info),
                                       .metadata = json::serialize(metadata),
                                       .occurred_at = now});
  });
  if (!status.ok()) {
    return status;
  }
  if (absl::Status loaded = Load(); !loaded.ok()) {
    return loaded;
  }
  if (first_kid.empty()) return info;
  for (const SigningKeyInfo& key : Keys(true, now)) {
    if (key.kid == first_kid) return key;
  }
  return absl::NotFoundError("request_id: the key this request created no longer exists");
}

absl::StatusOr<std::string> SigningKeyRing::ClaimRotation(
    pg::Transaction& tx, jwt::Algorithm algorithm, absl::Duration activation_delay,
    const Actor& actor, std::string_view request_id, const std::string& kid) {
  constexpr char kOperation[] = "rotate_signing_key";
  const std::string caller = absl::StrCat(actor.type, ":", actor.id);
  const std::string fingerprint = absl::StrCat(std::string(jwt::AlgorithmName(algorithm)), "|",
                                               absl::ToInt64Nanoseconds(activation_delay));
  absl::StatusOr<pg::Result> claimed =
      tx.Execute(sql::kClaimIdempotencyKey,
                 {std::string(kOperation), caller, std::string(request_id), pg::Bytea{fingerprint},
                  kid, absl::ToInt64Seconds(absl::Hours(24))});
  if (!claimed.ok()) return claimed.status();
  if (!claimed->empty()) return std::string();  // ours: go on and rotate
  absl::StatusOr<pg::Result> existing = tx.Execute(
      sql::kSelectIdempotencyKey, {std::string(kOperation), caller, std::string(request_id)});
  if (!existing.ok()) return existing.status();
  if (existing->empty()) return absl::AbortedError("request_id: claim vanished; retry");
  absl::StatusOr<pg::Bytea> hash = (*existing)[0].Get<pg::Bytea>(0);
  absl::StatusOr<std::string> first = (*existing)[0].Get<std::string>(1);
  if (!hash.ok()) return hash.status();
  if (!first.ok()) return first.status();
  if (hash->data != fingerprint) {
    return absl::AlreadyExistsError(
        "request_id: already used for a rotation with another algorithm or activation_delay");
  }
  return *first;
}

}  // namespace backoffice::users
