// The integrations service binary: wiring only (see libs/server/service_main.h).
#include <memory>
#include <vector>

#include "libs/server/service_main.h"
#include "services/integrations/integrations_service.h"
#include "services/integrations/migrations.h"

int main(int argc, char** argv) {
  return backoffice::server::RunServiceMain(
      {
          .name = "integrations",
          .schema = "integrations",
          .default_grpc_port = 50055,
          .default_admin_port = 9105,
          .migrations = backoffice::integrations::kMigrations,
          .make_services = [](backoffice::pg::Pool&)
              -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(
                std::make_unique<backoffice::integrations::IntegrationsServiceImpl>());
            return services;
          },
      },
      argc, argv);
}
