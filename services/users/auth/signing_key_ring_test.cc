#include "services/users/auth/signing_key_ring.h"

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/match.h"
#include "libs/jwt/compact.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/verifier.h"
#include "services/users/auth/auth_fixture.h"
#include "services/users/auth/token_issuer.h"

namespace backoffice::users {
namespace {

using testing::AdminActor;
using testing::AuthFixture;
using testing::TestSecretBox;

// A clock the test moves by hand, shared by the ring and the assertions.
struct TestClock {
  std::atomic<int64_t> micros{absl::ToUnixMicros(testing::DbNow())};
  absl::Time Now() const { return absl::FromUnixMicros(micros.load()); }
  void Advance(absl::Duration d) { micros += absl::ToInt64Microseconds(d); }
};

std::unique_ptr<SigningKeyRing> MakeRing(AuthFixture& db, TestClock& clock,
                                         std::shared_ptr<const SecretBox> box = TestSecretBox()) {
  absl::StatusOr<std::unique_ptr<SigningKeyRing>> ring = SigningKeyRing::Create(
      db.pool(), std::move(box), {.clock = [&clock] { return clock.Now(); }});
  INFO(ring.status().ToString());
  REQUIRE(ring.ok());
  return *std::move(ring);
}

TEST_CASE("EnsureActiveKey creates one sealed RS256 key and is idempotent") {
  AuthFixture db;
  TestClock clock;
  std::unique_ptr<SigningKeyRing> ring = MakeRing(db, clock);
  CHECK(ring->SigningKey(clock.Now()).status().code() == absl::StatusCode::kFailedPrecondition);

  REQUIRE(ring->EnsureActiveKey(clock.Now()).ok());
  REQUIRE(ring->EnsureActiveKey(clock.Now()).ok());
  CHECK(db.Count("SELECT count(*) FROM signing_keys") == 1);
  CHECK(db.Count("SELECT count(*) FROM signing_keys WHERE algorithm = 'RS256'") == 1);
  // The private key is stored sealed, never as PEM text.
  CHECK(db.Count("SELECT count(*) FROM signing_keys WHERE position('PRIVATE'::bytea IN "
                 "private_key_encrypted) > 0") == 0);
  CHECK(db.EventTypes() == std::vector<std::string>{"signing_key.created"});

  absl::StatusOr<std::shared_ptr<const jwt::PrivateKey>> key = ring->SigningKey(clock.Now());
  REQUIRE(key.ok());
  CHECK((*key)->algorithm() == jwt::Algorithm::kRs256);
  CHECK((*key)->GetPublicKey()->bits() == 2048);

  boost::json::value jwks = boost::json::parse(ring->Jwks(clock.Now()));
  const boost::json::array& keys = jwks.at("keys").as_array();
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].at("kid").as_string() == (*key)->kid());
  CHECK(keys[0].at("kty").as_string() == "RSA");
  CHECK(keys[0].as_object().if_contains("d") == nullptr);

  // A second replica loads the same key from the table.
  std::unique_ptr<SigningKeyRing> other = MakeRing(db, clock);
  absl::StatusOr<std::shared_ptr<const jwt::PrivateKey>> same = other->SigningKey(clock.Now());
  REQUIRE(same.ok());
  CHECK((*same)->kid() == (*key)->kid());
}

TEST_CASE("EnsureActiveKey from two replicas at once creates exactly one key") {
  AuthFixture db;
  TestClock clock;
  std::unique_ptr<SigningKeyRing> a = MakeRing(db, clock);
  std::unique_ptr<SigningKeyRing> b = MakeRing(db, clock);
  absl::Status status_a, status_b;
  std::thread ta([&] { status_a = a->EnsureActiveKey(clock.Now()); });
  std::thread tb([&] { status_b = b->EnsureActiveKey(clock.Now()); });
  ta.join();
  tb.join();
  INFO(status_a.ToString() << " / " << status_b.ToString());
  REQUIRE(status_a.ok());
  REQUIRE(status_b.ok());
  CHECK(db.Count("SELECT count(*) FROM signing_keys") == 1);
  CHECK(db.CountEvents("signing_key.created") == 1);
  CHECK((*a->SigningKey(clock.Now()))->kid() == (*b->SigningKey(clock.Now()))->kid());
}

TEST_CASE("a ring with another master key cannot open the stored keys") {
  AuthFixture db;
  TestClock clock;
  REQUIRE(MakeRing(db, clock)->EnsureActiveKey(clock.Now()).ok());
  static const std::string other_key(SecretBox::kKeyBytes, '\x07');
  absl::StatusOr<SecretBox> box = SecretBox::Create({.id = 1, .bytes = other_key});
  REQUIRE(box.ok());
  absl::StatusOr<std::unique_ptr<SigningKeyRing>> ring =
      SigningKeyRing::Create(db.pool(), std::make_shared<const SecretBox>(*std::move(box)));
  CHECK(ring.status().code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("issued access tokens carry the contract's claims and verify through the ring") {
  AuthFixture db;
  TestClock clock;
  std::unique_ptr<SigningKeyRing> ring = MakeRing(db, clock);
  REQUIRE(ring->EnsureActiveKey(clock.Now()).ok());
  TokenIssuer issuer(*ring);
  absl::StatusOr<AccessToken> token = issuer.Issue(
      {.user_id = "user-1", .session_id = "session-1", .password_change_required = true},
      clock.Now());
  REQUIRE(token.ok());
  CHECK(token->lifetime == absl::Minutes(15));
  CHECK(token->expires_at - token->issued_at == absl::Minutes(15));

  absl::StatusOr<jwt::ParsedToken> parsed = jwt::ParseCompact(token->token, 8192);
  REQUIRE(parsed.ok());
  CHECK(parsed->header.at("typ").as_string() == "at+jwt");
  CHECK(parsed->header.at("alg").as_string() == "RS256");
  CHECK(parsed->header.at("kid").as_string() == token->kid);
  const boost::json::object& payload = parsed->payload;
  CHECK(payload.at("iss").as_string() == "backoffice-users");
  CHECK(payload.at("aud").as_string() == "backoffice");
  CHECK(payload.at("sub").as_string() == "user-1");
  CHECK(payload.at("sid").as_string() == "session-1");
  CHECK(payload.at("jti").as_string() == token->jti);
  CHECK(payload.at("pcr").as_bool());
  CHECK(payload.at("exp").as_int64() - payload.at("iat").as_int64() == 900);
  CHECK(payload.at("nbf").as_int64() == payload.at("iat").as_int64());
  CHECK(payload.if_contains("email") == nullptr);

  absl::StatusOr<std::unique_ptr<jwt::Verifier>> verifier = issuer.MakeVerifier();
  REQUIRE(verifier.ok());
  absl::StatusOr<jwt::Claims> claims = (*verifier)->Verify(token->token, clock.Now());
  INFO(claims.status().ToString());
  REQUIRE(claims.ok());
  CHECK(claims->sub == "user-1");
  CHECK(claims->sid == "session-1");

  // Without pcr, no claim at all.
  absl::StatusOr<AccessToken> plain =
      issuer.Issue({.user_id = "user-1", .session_id = "session-1"}, clock.Now());
  REQUIRE(plain.ok());
  CHECK(jwt::ParseCompact(plain->token, 8192)->payload.if_contains("pcr") == nullptr);
  CHECK(plain->jti != token->jti);

  // Another issuer's verifier refuses it.
  TokenIssuer other(*ring, {.issuer = "someone-else"});
  CHECK((*other.MakeVerifier())->Verify(token->token, clock.Now()).status().code() ==
        absl::StatusCode::kUnauthenticated);
  CHECK(issuer.Issue({.user_id = "", .session_id = "s"}, clock.Now()).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("rotation: the previous key verifies until its tokens expire, then leaves the JWKS") {
  AuthFixture db;
  TestClock clock;
  std::unique_ptr<SigningKeyRing> ring = MakeRing(db, clock);
  REQUIRE(ring->EnsureActiveKey(clock.Now()).ok());
  TokenIssuer issuer(*ring);
  // No lifetime bound, so the hour-long token below is refused for its key alone.
  jwt::VerifierOptions options = issuer.verifier_options();
  options.max_lifetime = absl::InfiniteDuration();
  std::unique_ptr<jwt::Verifier> verifier = *jwt::Verifier::Create(options, ring->key_source());
  const absl::Time t0 = clock.Now();

  std::shared_ptr<const jwt::PrivateKey> old_key = *ring->SigningKey(t0);
  AccessToken old_token = *issuer.Issue({.user_id = "u", .session_id = "s"}, t0);
  // A token that outlives its key: signed by the old key, valid for an hour.
  jwt::Claims long_claims{.iss = "backoffice-users",
                          .sub = "u",
                          .aud = {"backoffice"},
                          .exp = t0 + absl::Hours(1),
                          .iat = t0,
                          .jti = "j",
                          .sid = "s"};
  std::string long_token = *jwt::Sign(*old_key, long_claims);

  absl::StatusOr<SigningKeyInfo> rotated =
      ring->Rotate(jwt::Algorithm::kEs256, absl::ZeroDuration(), AdminActor(), t0);
  INFO(rotated.status().ToString());
  REQUIRE(rotated.ok());
  CHECK(rotated->kid != old_key->kid());
  CHECK(db.CountEvents("signing_key.rotated") == 1);
  CHECK(db.Count("SELECT count(*) FROM signing_keys WHERE kid = $1 AND retired_at = $2 AND "
                 "expires_at = $3",
                 {old_key->kid(), t0, t0 + absl::Minutes(15)}) == 1);

  // New tokens use the new key.
  AccessToken new_token = *issuer.Issue({.user_id = "u", .session_id = "s"}, t0);
  CHECK(new_token.kid == rotated->kid);
  CHECK(jwt::ParseCompact(new_token.token, 8192)->header.at("alg").as_string() == "ES256");

  clock.Advance(absl::Minutes(10));
  CHECK(ring->Keys(false, clock.Now()).size() == 2);
  CHECK(ring->Keys(false, clock.Now())[1].StateAt(clock.Now()) == SigningKeyState::kRetired);
  CHECK(verifier->Verify(old_token.token, clock.Now()).ok());
  CHECK(verifier->Verify(long_token, clock.Now()).ok());
  CHECK(verifier->Verify(new_token.token, clock.Now()).ok());
  CHECK(boost::json::parse(ring->Jwks(clock.Now())).at("keys").as_array().size() == 2);

  // Past retired_at + 15 min the old key is gone from the JWKS and from verification.
  clock.Advance(absl::Minutes(6));
  CHECK(boost::json::parse(ring->Jwks(clock.Now())).at("keys").as_array().size() == 1);
  absl::StatusOr<jwt::Claims> refused = verifier->Verify(long_token, clock.Now());
  INFO(refused.status().ToString());
  CHECK(refused.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(absl::StrContains(refused.status().message(), "kid"));
  CHECK(ring->Keys(false, clock.Now()).size() == 1);
  CHECK(ring->Keys(true, clock.Now()).size() == 2);
  CHECK(ring->Keys(true, clock.Now())[1].StateAt(clock.Now()) == SigningKeyState::kUnpublished);
}

TEST_CASE("a delayed rotation publishes the next key before it signs") {
  AuthFixture db;
  TestClock clock;
  std::unique_ptr<SigningKeyRing> ring = MakeRing(db, clock);
  REQUIRE(ring->EnsureActiveKey(clock.Now()).ok());
  const absl::Time t0 = clock.Now();
  const std::string old_kid = (*ring->SigningKey(t0))->kid();

  absl::StatusOr<SigningKeyInfo> next =
      ring->Rotate(jwt::Algorithm::kEdDsa, absl::Minutes(5), AdminActor(), t0);
  REQUIRE(next.ok());
  CHECK(next->StateAt(t0) == SigningKeyState::kNext);
  CHECK((*ring->SigningKey(t0))->kid() == old_kid);
  CHECK(boost::json::parse(ring->Jwks(t0)).at("keys").as_array().size() == 2);
  CHECK(ring->Rotate(jwt::Algorithm::kRs256, absl::ZeroDuration(), AdminActor(), t0)
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ring->Rotate(jwt::Algorithm::kRs256, absl::Hours(25), AdminActor(), t0).status().code() ==
        absl::StatusCode::kInvalidArgument);

  const absl::Time later = t0 + absl::Minutes(5);
  CHECK((*ring->SigningKey(later))->kid() == next->kid);
  // EnsureActiveKey sees the pending key and does nothing.
  REQUIRE(ring->EnsureActiveKey(later).ok());
  CHECK(db.Count("SELECT count(*) FROM signing_keys") == 2);
}

TEST_CASE("a rotation retried with its request_id returns the first key and changes nothing") {
  AuthFixture db;
  TestClock clock;
  std::unique_ptr<SigningKeyRing> ring = MakeRing(db, clock);
  REQUIRE(ring->EnsureActiveKey(clock.Now()).ok());
  const absl::Time t0 = clock.Now();
  absl::StatusOr<SigningKeyInfo> first =
      ring->Rotate(jwt::Algorithm::kEdDsa, absl::Minutes(5), AdminActor(), t0, "rotate-1");
  REQUIRE(first.ok());
  // The retry (a lost answer, say) would otherwise be FAILED_PRECONDITION: a NEXT key is pending.
  absl::StatusOr<SigningKeyInfo> retry =
      ring->Rotate(jwt::Algorithm::kEdDsa, absl::Minutes(5), AdminActor(), t0, "rotate-1");
  INFO(retry.status().ToString());
  REQUIRE(retry.ok());
  CHECK(retry->kid == first->kid);
  CHECK(db.Count("SELECT count(*) FROM signing_keys") == 2);
  CHECK(db.Count("SELECT count(*) FROM outbox WHERE event_type = 'signing_key.rotated'") == 1);
  // The same id with other parameters is refused; without an id the pending key blocks.
  CHECK(ring->Rotate(jwt::Algorithm::kRs256, absl::Minutes(5), AdminActor(), t0, "rotate-1")
            .status()
            .code() == absl::StatusCode::kAlreadyExists);
  CHECK(ring->Rotate(jwt::Algorithm::kEdDsa, absl::Minutes(5), AdminActor(), t0).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(ring->Rotate(jwt::Algorithm::kEdDsa, absl::Minutes(5), AdminActor(), t0,
                     std::string(129, 'x'))
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("the KeySource picks up a key rotated by another replica, reloading at most every 5 s") {
  AuthFixture db;
  TestClock clock;
  std::unique_ptr<SigningKeyRing> verifying = MakeRing(db, clock);
  std::unique_ptr<SigningKeyRing> signing = MakeRing(db, clock);
  REQUIRE(signing->EnsureActiveKey(clock.Now()).ok());
  REQUIRE(signing->Rotate(jwt::Algorithm::kRs256, absl::ZeroDuration(), AdminActor(), clock.Now())
              .ok());
  TokenIssuer issuer(*signing);
  AccessToken token = *issuer.Issue({.user_id = "u", .session_id = "s"}, clock.Now());

  TokenIssuer verifying_issuer(*verifying);
  std::unique_ptr<jwt::Verifier> verifier = *verifying_issuer.MakeVerifier();
  const int64_t loads = verifying->load_count();
  absl::StatusOr<jwt::Claims> claims = verifier->Verify(token.token, clock.Now());
  INFO(claims.status().ToString());
  CHECK(claims.ok());
  CHECK(verifying->load_count() == loads + 1);

  // That reload used the slot: unknown kids within 5 s do not reload; after 5 s one may again.
  std::shared_ptr<jwt::KeySource> source = verifying->key_source();
  CHECK(source->GetKeys("forged-1")->Find("forged-1") == nullptr);
  CHECK(verifying->load_count() == loads + 1);
  clock.Advance(absl::Seconds(5));
  CHECK(source->GetKeys("forged-2")->Find("forged-2") == nullptr);
  CHECK(verifying->load_count() == loads + 2);
  source->GetKeys("forged-3");
  CHECK(verifying->load_count() == loads + 2);
  CHECK(source->GetKeys(token.kid)->Find(token.kid) != nullptr);
  CHECK(verifying->load_count() == loads + 2);
}

}  // namespace
}  // namespace backoffice::users
