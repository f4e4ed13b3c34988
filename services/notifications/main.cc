// The notifications service binary: wiring only (see libs/server/service_main.h).
#include <memory>
#include <vector>

#include "libs/server/service_main.h"
#include "services/notifications/migrations.h"
#include "services/notifications/notifications_service.h"

int main(int argc, char** argv) {
  return backoffice::server::RunServiceMain(
      {
          .name = "notifications",
          .schema = "notifications",
          .default_grpc_port = 50054,
          .default_admin_port = 9104,
          .migrations = backoffice::notifications::kMigrations,
          .make_services = [](backoffice::pg::Pool&)
              -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(
                std::make_unique<backoffice::notifications::NotificationsServiceImpl>());
            return services;
          },
      },
      argc, argv);
}
