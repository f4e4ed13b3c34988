#include "bff/app/downstreams.h"

namespace backoffice::bff::app {
namespace {

std::unique_ptr<downstream::ServiceClient> Client(std::string name, std::string address,
                                                  absl::Duration deadline,
                                                  metrics::Registry& registry) {
  return downstream::ServiceClient::Create(
      {.name = std::move(name), .address = std::move(address), .default_deadline = deadline},
      registry);
}

}  // namespace

Downstreams Downstreams::Create(const DownstreamAddresses& addresses, metrics::Registry& registry) {
  Downstreams downstreams;
  absl::Duration deadline = addresses.default_deadline;
  downstreams.users = Client("users", addresses.users, deadline, registry);
  downstreams.roles = Client("roles", addresses.roles, deadline, registry);
  downstreams.audit = Client("audit", addresses.audit, deadline, registry);
  downstreams.notifications = Client("notifications", addresses.notifications, deadline, registry);
  downstreams.integrations = Client("integrations", addresses.integrations, deadline, registry);
  return downstreams;
}

Downstreams::~Downstreams() {
  for (downstream::ServiceClient* client : All()) {
    if (client != nullptr) {
      client->Stop();
    }
  }
}

downstream::ServiceClient* Downstreams::Find(std::string_view name) const {
  for (downstream::ServiceClient* client : All()) {
    if (client->name() == name) {
      return client;
    }
  }
  return nullptr;
}

std::vector<downstream::ServiceClient*> Downstreams::All() const {
  return {users.get(), roles.get(), audit.get(), notifications.get(), integrations.get()};
}

}  // namespace backoffice::bff::app
