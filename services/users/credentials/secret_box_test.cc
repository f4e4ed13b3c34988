#include "services/users/credentials/secret_box.h"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

const std::string kKey1 = std::string(32, '\x01');
const std::string kKey2 = std::string(32, '\x02');
constexpr char kRow[] = "01890a5d-ac96-774b-bcce-b302099a8057";
constexpr char kOtherRow[] = "01890a5d-ac96-774b-bcce-b302099a8058";

SecretBox Box(uint8_t id, const std::string& key) { return *SecretBox::Create({id, key}); }

TEST_CASE("Seal then Open returns the plaintext, for sizes 0 to 4 KiB") {
  SecretBox box = Box(1, kKey1);
  for (size_t size : {0, 1, 15, 16, 20, 31, 32, 33, 255, 256, 1000, 4096}) {
    CAPTURE(size);
    const std::string plaintext = RandomBytes(size);
    const std::string sealed = box.Seal(plaintext, kRow);
    CHECK(sealed.size() == plaintext.size() + SecretBox::kOverhead);
    CHECK(static_cast<unsigned char>(sealed[0]) == 1);  // format version
    CHECK(static_cast<unsigned char>(sealed[1]) == 1);  // key id
    absl::StatusOr<std::string> opened = box.Open(sealed, kRow);
    REQUIRE(opened.ok());
    CHECK(*opened == plaintext);
  }
}

TEST_CASE("The sealed bytes are the libsodium AEAD over header and associated data") {
  // Known-answer check of the format: decrypt by hand with libsodium.
  SecretBox box = Box(7, kKey2);
  const std::string sealed = box.Seal("totp secret bytes", kRow);
  const std::string ad = sealed.substr(0, 2) + kRow;
  std::string plaintext(sealed.size() - SecretBox::kOverhead, '\0');
  unsigned long long length = 0;
  REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(
              reinterpret_cast<unsigned char*>(plaintext.data()), &length, nullptr,
              reinterpret_cast<const unsigned char*>(sealed.data()) + 26, sealed.size() - 26,
              reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
              reinterpret_cast<const unsigned char*>(sealed.data()) + 2,
              reinterpret_cast<const unsigned char*>(kKey2.data())) == 0);
  CHECK(plaintext == "totp secret bytes");
}

TEST_CASE("Each Seal uses a fresh nonce") {
  SecretBox box = Box(1, kKey1);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    CHECK(seen.insert(box.Seal("same plaintext", kRow)).second);
  }
}

TEST_CASE("Other associated data does not open: a value cannot move to another row") {
  SecretBox box = Box(1, kKey1);
  const std::string sealed = box.Seal("jwt private key", kRow);
  for (const char* ad : {kOtherRow, "", "01890a5d-ac96-774b-bcce-b302099a805"}) {
    CAPTURE(ad);
    CHECK(box.Open(sealed, ad).status().code() == absl::StatusCode::kDataLoss);
  }
  const std::string no_ad = box.Seal("jwt private key", "");
  CHECK(box.Open(no_ad, "").ok());
  CHECK_FALSE(box.Open(no_ad, kRow).ok());
}

TEST_CASE("Any flipped bit is detected") {
  SecretBox box = Box(1, kKey1);
  const std::string sealed = box.Seal("a secret of some length", kRow);
  // Byte 0 (version) and byte 1 (key id) fail before decryption; every other bit fails the tag.
  for (size_t byte = 0; byte < sealed.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = sealed;
      tampered[byte] = static_cast<char>(tampered[byte] ^ (1 << bit));
      CAPTURE(byte, bit);
      CHECK_FALSE(box.Open(tampered, kRow).ok());
    }
  }
  CHECK_FALSE(box.Open(sealed.substr(0, sealed.size() - 1), kRow).ok());
  CHECK_FALSE(box.Open(sealed + "x", kRow).ok());
}

TEST_CASE("A wrong key under the same id fails authentication; an unknown id is named") {
  const std::string sealed = Box(1, kKey1).Seal("secret", kRow);
  CHECK(Box(1, kKey2).Open(sealed, kRow).status().code() == absl::StatusCode::kDataLoss);
  absl::Status unknown = Box(2, kKey2).Open(sealed, kRow).status();
  CHECK(unknown.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(unknown.message() == "secret box: master key 1 is not loaded");
}

TEST_CASE("Relabelling the key id is detected even when both keys are loaded") {
  absl::StatusOr<SecretBox> box = SecretBox::Create({2, kKey2}, {{1, kKey1}});
  REQUIRE(box.ok());
  std::string sealed = box->Seal("secret", kRow);
  sealed[1] = 1;
  CHECK(box->Open(sealed, kRow).status().code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("Malformed values: too short or an unknown version") {
  SecretBox box = Box(1, kKey1);
  CHECK(box.Open("", kRow).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(box.Open(std::string(SecretBox::kOverhead - 1, '\x01'), kRow).status().code() ==
        absl::StatusCode::kInvalidArgument);
  std::string sealed = box.Seal("secret", kRow);
  sealed[0] = 2;
  CHECK(box.Open(sealed, kRow).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Rotation: the new key seals, the retired key still opens, NeedsReseal says which") {
  SecretBox old_box = Box(1, kKey1);
  const std::string old_sealed = old_box.Seal("totp secret", kRow);
  CHECK_FALSE(old_box.NeedsReseal(old_sealed));

  absl::StatusOr<SecretBox> rotated = SecretBox::Create({2, kKey2}, {{1, kKey1}});
  REQUIRE(rotated.ok());
  CHECK(rotated->active_key_id() == 2);
  absl::StatusOr<std::string> opened = rotated->Open(old_sealed, kRow);
  REQUIRE(opened.ok());
  CHECK(*opened == "totp secret");
  CHECK(rotated->NeedsReseal(old_sealed));

  const std::string resealed = rotated->Seal(*opened, kRow);
  CHECK(static_cast<unsigned char>(resealed[1]) == 2);
  CHECK_FALSE(rotated->NeedsReseal(resealed));
  CHECK(old_box.Open(resealed, kRow).status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(rotated->NeedsReseal("short"));
}

TEST_CASE("Create refuses keys of the wrong length and duplicate ids") {
  for (size_t length : {0, 16, 31, 33, 44, 64}) {
    CAPTURE(length);
    const std::string key(length, 'k');
    CHECK(SecretBox::Create({1, key}).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(SecretBox::Create({1, kKey1}, {{2, key}}).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  CHECK(SecretBox::Create({1, kKey1}, {{1, kKey2}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(SecretBox::Create({0, kKey1}).ok());
  CHECK(SecretBox::Create({255, kKey1}).ok());
}

TEST_CASE("A moved box keeps working") {
  SecretBox box = Box(3, kKey1);
  const std::string sealed = box.Seal("secret", kRow);
  SecretBox moved = std::move(box);
  CHECK(*moved.Open(sealed, kRow) == "secret");
  SecretBox assigned = Box(4, kKey2);
  assigned = std::move(moved);
  CHECK(*assigned.Open(sealed, kRow) == "secret");
}

}  // namespace
}  // namespace backoffice::users
