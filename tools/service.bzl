"""The build shape every platform service shares.

    service_binary(
        name = "users",
        deps = [":users_service_impl"],
    )

declares `:migrations` (migrations/*.sql embedded as backoffice::users::kMigrations, header
"services/users/migrations.h") and the binary `:users_service` built from main.cc.
"""

load("//tools:cc.bzl", "bo_cc_binary")
load("//tools:sql.bzl", "sql_migrations")

def service_binary(name, deps):
    sql_migrations(
        name = "migrations",
        srcs = native.glob(["migrations/*.sql"]),
        namespace = "backoffice::" + name,
        visibility = ["//visibility:public"],
    )
    bo_cc_binary(
        name = name + "_service",
        srcs = ["main.cc"],
        deps = deps + [
            ":migrations",
            "//libs/server:service_main",
        ],
        visibility = ["//visibility:public"],
    )
