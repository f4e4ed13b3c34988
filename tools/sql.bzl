"""SQL kept in .sql files and embedded at build time as named constants.

    sql_library(
        name = "queries",
        srcs = glob(["queries/*.sql"]),
        namespace = "backoffice::users::sql",
    )

makes a cc_library whose header "<package>/<name>.h" declares, for queries/get_user.sql,
`inline constexpr std::string_view kGetUser = "...";`.

    sql_migrations(
        name = "migrations",
        srcs = glob(["migrations/*.sql"]),
        namespace = "backoffice::users",
    )

makes a header "<package>/<name>.h" with `inline constexpr backoffice::pg::Migration kMigrations[]`
built from files named NNNN_description.sql, in version order (see libs/pg/migrations.h).
"""

def _embed(name, srcs, namespace, mode, deps, visibility):
    header = name + ".h"
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = [header],
        tools = ["//tools:embed_sql"],
        cmd = "$(location //tools:embed_sql) %s %s $@ $(SRCS)" % (mode, namespace),
    )
    native.cc_library(
        name = name,
        hdrs = [header],
        deps = deps,
        visibility = visibility,
    )

def sql_library(name, srcs, namespace, visibility = None):
    _embed(name, srcs, namespace, "constants", [], visibility)

def sql_migrations(name, srcs, namespace, visibility = None):
    _embed(name, srcs, namespace, "migrations", ["//libs/pg:migrations"], visibility)
