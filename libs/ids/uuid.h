// UUIDs (RFC 9562): a 16-byte value type, canonical text form, and a UUIDv7 generator.
//
//   ids::Uuid id = ids::NewUuidV7();                      // time-ordered, unique
//   std::string text = id.ToString();                     // "0190b5f2-7c1e-7d3a-9f00-..."
//   absl::StatusOr<ids::Uuid> parsed = ids::ParseUuid(text);
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace backoffice::ids {

/// A UUID as its 16 bytes in network order. Compares bytewise, which for UUIDv7 is time order.
class Uuid final {
 public:
  /// The nil UUID (all zeros).
  constexpr Uuid() = default;
  explicit constexpr Uuid(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}

  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  /// The version field (high nibble of byte 6): 7 for UUIDv7, 4 for random UUIDs, 0 for nil.
  int version() const { return bytes_[6] >> 4; }
  /// True if the variant bits are 10 (RFC 9562 / RFC 4122 UUIDs).
  bool is_rfc9562_variant() const { return (bytes_[8] & 0xC0) == 0x80; }
  /// True for a well-formed UUIDv7: version 7 and the RFC 9562 variant.
  bool is_v7() const { return version() == 7 && is_rfc9562_variant(); }
  bool is_nil() const { return bytes_ == std::array<uint8_t, 16>{}; }

  /// The 48-bit Unix time in milliseconds in a UUIDv7's first six bytes (meaningless otherwise).
  int64_t unix_millis() const;

  /// Canonical text: 36 characters, lower-case hex, 8-4-4-4-12.
  std::string ToString() const;

  friend auto operator<=>(const Uuid&, const Uuid&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const Uuid& uuid) {
    return H::combine(std::move(h), uuid.bytes_);
  }

 private:
  std::array<uint8_t, 16> bytes_{};
};

/// Parses the canonical 36-character form (8-4-4-4-12 hex digits, either case). No braces, no
/// `urn:uuid:` prefix, no surrounding spaces. INVALID_ARGUMENT "not a UUID: ..." otherwise (the
/// message describes the problem, never echoes the input). Accepts any version; check is_v7() where
/// only v7 is allowed.
absl::StatusOr<Uuid> ParseUuid(std::string_view text);

/// Generates UUIDv7s (RFC 9562 section 5.7): 48-bit Unix milliseconds, version 7, 12 + 62 random
/// bits with the variant. Within one generator the ids strictly increase: in the same millisecond
/// (or if the clock steps back) the 74-bit random tail of the previous id is increased by a random
/// amount (RFC 9562 section 6.2, method 2, "monotonic random"); if that tail overflows, the
/// timestamp moves one millisecond ahead of the clock. Thread-safe.
class UuidV7Generator final {
 public:
  /// Milliseconds since the Unix epoch.
  using Clock = std::function<int64_t()>;

  /// Uses the system clock.
  UuidV7Generator();
  /// Uses `clock` (tests).
  explicit UuidV7Generator(Clock clock);

  /// The next id; greater than every id this generator returned before.
  Uuid Next();

 private:
  Clock clock_;
  absl::Mutex mutex_;
  int64_t last_millis_ ABSL_GUARDED_BY(mutex_) = -1;
  // The previous id's 74 random bits: rand_a (12) in high_, rand_b (62) in low_.
  uint64_t last_high_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t last_low_ ABSL_GUARDED_BY(mutex_) = 0;
};

/// A new UUIDv7 from the process-wide generator (monotonic within the process).
Uuid NewUuidV7();

}  // namespace backoffice::ids
