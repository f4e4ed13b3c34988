#include "bff/app/downstreams.h"

namespace backoffice::bff::app {
namespace {

std::unique_ptr<downstream::ServiceClient> Client(std::string name, std::string address,
                                                  const DownstreamAddresses& addresses,
                                                  metrics::Registry& registry) {
  return downstream::ServiceClient::Create({.name = std::move(name),
                                            .address = std::move(address),
                                            .default_deadline = addresses.default_deadline,
                                            .connections = addresses.connections,
                                            .keepalive = addresses.keepalive},
                                           registry);
}

}  // namespace

Downstreams Downstreams::Create(const DownstreamAddresses& addresses, metrics::Registry& registry) {
  Downstreams downstreams;
  downstreams.users = Client("users", addresses.users, addresses, registry);
  downstreams.roles = Client("roles", addresses.roles, addresses, registry);
  downstreams.audit = Client("audit", addresses.audit, addresses, registry);
  downstreams.notifications = Client("notifications", addresses.notifications, addresses, registry);
  downstreams.integrations = Client("integrations", addresses.integrations, addresses, registry);
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
