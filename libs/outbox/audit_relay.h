// The outbox relay of a producing service, configured by flags and shipping to the audit
// service: what a service's main.cc starts.
//
//   std::unique_ptr<outbox::AuditRelay> relay;   // outlives RunServiceMain's pool: owns its own
//   ...make_services = [&](pg::Pool& pool) {
//     absl::StatusOr<std::unique_ptr<outbox::AuditRelay>> started =
//         outbox::AuditRelay::StartFromFlags(pool.options().connection, "users");
//     if (!started.ok()) return started.status();
//     relay = *std::move(started);                 // nullptr: relay off (no key file)
//
// Flags (each also from BACKOFFICE_<NAME>):
//   --audit_address            the audit service (default 127.0.0.1:50053)
//   --outbox_relay_key_file    PEM private key (Ed25519 recommended) signing this service's tokens
//                              for the audit service; empty: the relay is off
//   --outbox_relay_key_id      its kid, as listed in the audit service's --service_jwks_file
//   --outbox_relay_batch_size  events per AppendEvents call (1 to 500)
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/pg/connection_options.h"

namespace backoffice::outbox {

/// A running relay with its own small pool (2 connections) and LISTEN session. Stops in the
/// destructor.
class AuditRelay {
 public:
  /// Starts the relay of `service` (also the schema whose outbox it reads) when
  /// --outbox_relay_key_file is set; nullptr (and a log line) when it is not. INVALID_ARGUMENT for
  /// an unreadable key or a bad batch size; UNAVAILABLE when the database cannot be reached.
  static absl::StatusOr<std::unique_ptr<AuditRelay>> StartFromFlags(
      const pg::ConnectionOptions& connection, const std::string& service);

  virtual ~AuditRelay() = default;
};

}  // namespace backoffice::outbox
