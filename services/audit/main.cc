// The audit service binary: wiring only (see libs/server/service_main.h).
#include <memory>
#include <vector>

#include "libs/server/service_main.h"
#include "services/audit/audit_service.h"
#include "services/audit/migrations.h"

int main(int argc, char** argv) {
  return backoffice::server::RunServiceMain(
      {
          .name = "audit",
          .schema = "audit",
          .default_grpc_port = 50053,
          .default_admin_port = 9103,
          .migrations = backoffice::audit::kMigrations,
          .make_services = [](backoffice::pg::Pool&)
              -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<backoffice::audit::AuditServiceImpl>());
            return services;
          },
      },
      argc, argv);
}
