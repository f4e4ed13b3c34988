// The key a process signs its service-account tokens with, and tokens for one audience.
//
//   absl::StatusOr<TokenSource> tokens = ServiceTokens(
//       {.file = "/secrets/bff.pem", .kid = "bff", .service = "bff"}, "backoffice-users");
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace backoffice::authz {

/// Returns the `authorization`-ready token (without "Bearer ") for each new call or stream.
using TokenSource = std::function<absl::StatusOr<std::string>()>;

/// The service key a process authenticates with.
struct ServiceKey {
  /// PEM private key file (the setting `flag` names); empty: no key.
  std::string file;
  std::string kid;
  /// The service's name: the token's subject is "service:<service>".
  std::string service;
  std::string flag = "--service_key_file";
};

/// Service tokens for calling the service whose audience is `audience` ("backoffice-roles") as
/// `key.service`, signed with the key file. INVALID_ARGUMENT naming `key.flag` when the file is
/// missing or unusable.
absl::StatusOr<TokenSource> ServiceTokens(const ServiceKey& key, const std::string& audience);

}  // namespace backoffice::authz
