#include "services/users/auth/auth_types.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/types/optional.h"

namespace backoffice::users {
namespace {

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string_view text, size_t max) {
  if (text.size() <= max) {
    return std::string(text);
  }
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return std::string(text.substr(0, end));
}

}  // namespace

absl::StatusOr<ClientInfo> NormalizeClientInfo(const ClientInfo& client) {
  ClientInfo out;
  if (!client.ip_address.empty()) {
    if (client.ip_address.size() > kMaxIpAddressBytes) {
      return absl::InvalidArgumentError("client.ip_address: longer than 45 bytes");
    }
    unsigned char buffer[16];
    if (inet_pton(AF_INET, client.ip_address.c_str(), buffer) != 1 &&
        inet_pton(AF_INET6, client.ip_address.c_str(), buffer) != 1) {
      return absl::InvalidArgumentError("client.ip_address: not an IPv4 or IPv6 address");
    }
    out.ip_address = client.ip_address;
  }
  out.user_agent = TruncateUtf8(client.user_agent, kMaxUserAgentBytes);
  return out;
}

absl::Status AccountLockedError(absl::Duration retry_after) {
  return WithRetryAfter(
      WithErrorReason(absl::ResourceExhaustedError("account is locked; try again later"),
                      kReasonAccountLocked),
      retry_after);
}

}  // namespace backoffice::users
