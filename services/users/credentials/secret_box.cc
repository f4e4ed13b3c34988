#include "services/users/credentials/secret_box.h"

#include <sodium.h>

#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

constexpr unsigned char kFormatVersion = 1;
constexpr size_t kHeaderBytes = 2;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(SecretBox::kOverhead == kHeaderBytes + kNonceBytes + kTagBytes);
static_assert(SecretBox::kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

// What the AEAD authenticates besides the ciphertext: the header, then the caller's data.
std::string FullAssociatedData(std::string_view header, std::string_view associated_data) {
  std::string out(header);
  out.append(associated_data);
  return out;
}

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

struct SecretBox::KeyMaterial {
  std::array<unsigned char, kKeyBytes> bytes{};
  KeyMaterial() = default;
  KeyMaterial(const KeyMaterial&) = delete;
  KeyMaterial& operator=(const KeyMaterial&) = delete;
  ~KeyMaterial() { sodium_memzero(bytes.data(), bytes.size()); }
};

SecretBox::SecretBox() = default;
SecretBox::SecretBox(SecretBox&&) noexcept = default;
SecretBox& SecretBox::operator=(SecretBox&&) noexcept = default;
SecretBox::~SecretBox() = default;

absl::StatusOr<SecretBox> SecretBox::Create(MasterKey active, absl::Span<const MasterKey> retired) {
  EnsureSodiumInitialized();
  SecretBox box;
  box.active_key_id_ = active.id;
  auto add = [&box](const MasterKey& key) -> absl::Status {
    if (key.bytes.size() != kKeyBytes) {
      return absl::InvalidArgumentError(absl::StrCat("master key ", static_cast<int>(key.id),
                                                     ": must be exactly ", kKeyBytes,
                                                     " bytes, got ", key.bytes.size()));
    }
    auto material = std::make_unique<KeyMaterial>();
    key.bytes.copy(reinterpret_cast<char*>(material->bytes.data()), kKeyBytes);
    if (!box.keys_.emplace(key.id, std::move(material)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("master key ", static_cast<int>(key.id), ": duplicate id"));
    }
    return absl::OkStatus();
  };
  if (absl::Status status = add(active); !status.ok()) {
    return status;
  }
  for (const MasterKey& key : retired) {
    if (absl::Status status = add(key); !status.ok()) {
      return status;
    }
  }
  return box;
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view associated_data) const {
  const KeyMaterial& key = *keys_.at(active_key_id_);
  std::string out(kHeaderBytes + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* data = reinterpret_cast<unsigned char*>(out.data());
  data[0] = kFormatVersion;
  data[1] = active_key_id_;
  randombytes_buf(data + kHeaderBytes, kNonceBytes);
  const std::string ad =
      FullAssociatedData(std::string_view(out.data(), kHeaderBytes), associated_data);
  unsigned long long ciphertext_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      data + kHeaderBytes + kNonceBytes, &ciphertext_length, Bytes(plaintext), plaintext.size(),
      Bytes(ad), ad.size(), /*nsec=*/nullptr, data + kHeaderBytes, key.bytes.data());
  return out;
}

absl::StatusOr<std::string> SecretBox::Open(std::string_view sealed,
                                            std::string_view associated_data) const {
  if (sealed.size() < kOverhead) {
    return absl::InvalidArgumentError("secret box: sealed value too short");
  }
  if (static_cast<unsigned char>(sealed[0]) != kFormatVersion) {
    return absl::InvalidArgumentError("secret box: unknown format version");
  }
  const auto key_id = static_cast<uint8_t>(sealed[1]);
  auto it = keys_.find(key_id);
  if (it == keys_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("secret box: master key ", static_cast<int>(key_id), " is not loaded"));
  }
  const std::string ad = FullAssociatedData(sealed.substr(0, kHeaderBytes), associated_data);
  const std::string_view nonce = sealed.substr(kHeaderBytes, kNonceBytes);
  const std::string_view ciphertext = sealed.substr(kHeaderBytes + kNonceBytes);
  std::string plaintext(ciphertext.size() - kTagBytes, '\0');
  unsigned long long plaintext_length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &plaintext_length, /*nsec=*/nullptr,
          Bytes(ciphertext), ciphertext.size(), Bytes(ad), ad.size(), Bytes(nonce),
          it->second->bytes.data()) != 0) {
    return absl::DataLossError("secret box: authentication failed");
  }
  plaintext.resize(plaintext_length);
  return plaintext;
}

bool SecretBox::NeedsReseal(std::string_view sealed) const {
  return sealed.size() < kOverhead || static_cast<unsigned char>(sealed[0]) != kFormatVersion ||
         static_cast<uint8_t>(sealed[1]) != active_key_id_;
}

}  // namespace backoffice::users
