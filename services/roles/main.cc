// The roles service binary: wiring only (see libs/server/service_main.h).
#include <memory>
#include <vector>

#include "libs/server/service_main.h"
#include "services/roles/migrations.h"
#include "services/roles/roles_service.h"

int main(int argc, char** argv) {
  return backoffice::server::RunServiceMain(
      {
          .name = "roles",
          .schema = "roles",
          .default_grpc_port = 50052,
          .default_admin_port = 9102,
          .migrations = backoffice::roles::kMigrations,
          .make_services = [](backoffice::pg::Pool&)
              -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<backoffice::roles::RolesServiceImpl>());
            return services;
          },
      },
      argc, argv);
}
