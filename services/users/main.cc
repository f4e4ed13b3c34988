// The users service binary: wiring only (see libs/server/service_main.h).
#include <memory>
#include <vector>

#include "libs/server/service_main.h"
#include "services/users/migrations.h"
#include "services/users/users_service.h"

int main(int argc, char** argv) {
  return backoffice::server::RunServiceMain(
      {
          .name = "users",
          .schema = "users",
          .default_grpc_port = 50051,
          .default_admin_port = 9101,
          .migrations = backoffice::users::kMigrations,
          .make_services = [](backoffice::pg::Pool&)
              -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<backoffice::users::UsersServiceImpl>());
            return services;
          },
      },
      argc, argv);
}
