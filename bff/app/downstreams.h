#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bff/downstream/service_client.h"

namespace backoffice::metrics {
class Registry;
}

namespace backoffice::bff::app {

/// Where each service is, as the BFF's flags say.
struct DownstreamAddresses {
  std::string users = "127.0.0.1:50051";
  std::string roles = "127.0.0.1:50052";
  std::string audit = "127.0.0.1:50053";
  std::string notifications = "127.0.0.1:50054";
  std::string integrations = "127.0.0.1:50055";
  absl::Duration default_deadline = absl::Seconds(2);
  /// HTTP/2 connections to each service (ServiceOptions::connections).
  int connections = 1;
  /// HTTP/2 ping interval while calls are open (ServiceOptions::keepalive).
  absl::Duration keepalive = absl::Seconds(10);
};

/// One ServiceClient per service, for the life of the process. Route code keeps its stubs beside
/// it (`downstream::StubSet<users::v1::UsersService> stubs(*downstreams.users)`).
struct Downstreams {
  std::unique_ptr<downstream::ServiceClient> users;
  std::unique_ptr<downstream::ServiceClient> roles;
  std::unique_ptr<downstream::ServiceClient> audit;
  std::unique_ptr<downstream::ServiceClient> notifications;
  std::unique_ptr<downstream::ServiceClient> integrations;

  Downstreams() = default;
  Downstreams(Downstreams&&) = default;
  Downstreams& operator=(Downstreams&&) = default;
  /// Stops every client first, so their watcher threads end together.
  ~Downstreams();

  /// Creates every channel; they connect at once and reconnect on their own.
  static Downstreams Create(const DownstreamAddresses& addresses, metrics::Registry& registry);

  /// The client named `name` ("users", ...), or nullptr.
  downstream::ServiceClient* Find(std::string_view name) const;

  /// Every client, for shutdown.
  std::vector<downstream::ServiceClient*> All() const;
};

}  // namespace backoffice::bff::app
