// A versioned SQL migration as embedded by //tools:sql.bzl `sql_migrations` (kMigrations[]).
//
// This header is deliberately dependency-free (no libpq): generated headers include it. The runner
// that applies migrations lives in libs/pg/migrate.h.
#pragma once

#include <string_view>

namespace backoffice::pg {

/// One migration file `NNNN_name.sql`: `version` is NNNN, `name` the rest of the file name, `sql`
/// the file's text (may hold several statements; no transaction control, no parameters).
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

}  // namespace backoffice::pg
