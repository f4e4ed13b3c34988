#include "libs/ids/uuid.h"

#include <openssl/rand.h>

#include <chrono>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"

namespace backoffice::ids {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
// Positions of the hyphens in the canonical form.
constexpr bool IsHyphenPosition(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr uint64_t kRandALimit = uint64_t{1} << 12;
constexpr uint64_t kRandBLimit = uint64_t{1} << 62;

void RandomBytes(uint8_t* out, size_t size) {
  // OpenSSL's DRBG is seeded from the OS; failure means the process cannot make ids safely.
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    std::abort();
  }
}

uint64_t RandomBits(int bits) {
  uint8_t bytes[8];
  RandomBytes(bytes, sizeof(bytes));
  uint64_t value = 0;
  for (uint8_t b : bytes) value = (value << 8) | b;
  return bits >= 64 ? value : value & ((uint64_t{1} << bits) - 1);
}

int64_t SystemMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t Uuid::unix_millis() const {
  int64_t millis = 0;
  for (int i = 0; i < 6; ++i) millis = (millis << 8) | bytes_[i];
  return millis;
}

std::string Uuid::ToString() const {
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHexDigits[bytes_[i] >> 4]);
    out.push_back(kHexDigits[bytes_[i] & 0x0F]);
  }
  return out;
}

absl::StatusOr<Uuid> ParseUuid(std::string_view text) {
  if (text.size() != 36) {
    return absl::InvalidArgumentError(
        "not a UUID: must be 36 characters (8-4-4-4-12 hexadecimal digits)");
  }
  std::array<uint8_t, 16> bytes{};
  size_t out = 0;
  for (size_t i = 0; i < text.size();) {
    if (IsHyphenPosition(i)) {
      if (text[i] != '-') {
        return absl::InvalidArgumentError("not a UUID: hyphens must separate 8-4-4-4-12 digits");
      }
      ++i;
      continue;
    }
    int high = HexValue(text[i]);
    int low = HexValue(text[i + 1]);
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError("not a UUID: only hexadecimal digits and hyphens allowed");
    }
    bytes[out++] = static_cast<uint8_t>(high << 4 | low);
    i += 2;
  }
  return Uuid(bytes);
}

UuidV7Generator::UuidV7Generator() : UuidV7Generator(SystemMillis) {}

UuidV7Generator::UuidV7Generator(Clock clock) : clock_(std::move(clock)) {}

Uuid UuidV7Generator::Next() {
  int64_t now = clock_();
  uint64_t high = 0;
  uint64_t low = 0;
  int64_t millis = 0;
  {
    absl::MutexLock lock(&mutex_);
    if (now > last_millis_) {
      // A new millisecond: fresh random bits, with rand_a's top bit clear so that the increments
      // below have room before they overflow into the next millisecond.
      millis = now;
      high = RandomBits(11);
      low = RandomBits(62);
    } else {
      // Same millisecond, or the clock went back: continue from the last id.
      millis = last_millis_;
      uint64_t step = RandomBits(31) + 1;
      low = last_low_ + step;
      high = last_high_;
      if (low >= kRandBLimit) {
        low -= kRandBLimit;
        ++high;
      }
      if (high >= kRandALimit) {
        // The tail is exhausted: borrow the next millisecond.
        millis = last_millis_ + 1;
        high = RandomBits(11);
        low = RandomBits(62);
      }
    }
    last_millis_ = millis;
    last_high_ = high;
    last_low_ = low;
  }
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < 6; ++i) {
    bytes[i] = static_cast<uint8_t>(static_cast<uint64_t>(millis) >> (40 - 8 * i));
  }
  bytes[6] = static_cast<uint8_t>(0x70 | (high >> 8));
  bytes[7] = static_cast<uint8_t>(high);
  bytes[8] = static_cast<uint8_t>(0x80 | (low >> 56));
  for (int i = 9; i < 16; ++i) {
    bytes[i] = static_cast<uint8_t>(low >> (8 * (15 - i)));
  }
  return Uuid(bytes);
}

Uuid NewUuidV7() {
  static UuidV7Generator* generator = new UuidV7Generator();
  return generator->Next();
}

}  // namespace backoffice::ids
