// Applies versioned SQL migrations to one schema, safely when several replicas start at once.
//
//   #include "services/users/migrations.h"  // sql_migrations(): kMigrations[]
//   absl::Status status = pg::Migrate(*pool, "users", users::kMigrations);
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "libs/pg/migrations.h"
#include "libs/pg/pool.h"

namespace backoffice::pg {

/// Brings `schema` up to the newest of `migrations`:
/// - holds a session-level advisory lock keyed by the schema name for the whole run, so replicas
///   starting together take turns (the later ones find nothing to do);
/// - creates the schema and `<schema>.schema_migrations(version, name, checksum, applied_at)`
///   if missing;
/// - refuses (FAILED_PRECONDITION, applying nothing) if an applied migration's SQL changed
///   (sha256 checksum differs) or the database holds a version this binary does not know (for
///   instance one newer than its newest);
/// - applies each missing migration in version order, each in its own transaction together with
///   its schema_migrations row, with search_path set to the schema. A failure rolls that
///   migration back entirely, stops, and returns an error naming "NNNN_name".
/// Migration SQL runs through the simple protocol, so a file may hold several statements; it must
/// not contain transaction control or statements that cannot run in a transaction (CREATE INDEX
/// CONCURRENTLY). INVALID_ARGUMENT for an empty schema name or migrations not in strictly
/// increasing version order.
absl::Status Migrate(Pool& pool, std::string_view schema, absl::Span<const Migration> migrations);

/// Hex sha256 of a migration's SQL, as stored in schema_migrations.checksum.
std::string MigrationChecksum(std::string_view sql);

}  // namespace backoffice::pg
