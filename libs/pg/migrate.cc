#include "libs/pg/migrate.h"

#include <openssl/evp.h>
#include <postgresql/libpq-fe.h>

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/pg/absl_compat.h"
#include "libs/pg/error.h"
#include "libs/pg/transaction.h"

namespace backoffice::pg {
namespace {

using internal::ToAbsl;

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// Same key in every process for the same schema; distinct schemas migrate in parallel.
int64_t AdvisoryLockKey(std::string_view schema) {
  const std::string digest = Sha256(absl::StrCat("backoffice.pg.migrate:", ToAbsl(schema)));
  uint64_t key = 0;
  for (int i = 0; i < 8; ++i) {
    key = (key << 8) | static_cast<unsigned char>(digest[i]);
  }
  return static_cast<int64_t>(key);
}

std::string Label(const Migration& migration) {
  return absl::StrFormat("%04d_%s", migration.version, migration.name);
}

absl::StatusOr<std::string> QuoteIdentifier(Connection& conn, std::string_view identifier) {
  char* quoted =
      PQescapeIdentifier(conn.native(), std::string(identifier).c_str(), identifier.size());
  if (quoted == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid schema name: ", PQerrorMessage(conn.native())));
  }
  std::string result(quoted);
  PQfreemem(quoted);
  return result;
}

struct Applied {
  std::string name;
  std::string checksum;
};

absl::Status CheckApplied(std::string_view schema, const std::map<int, Applied>& applied,
                          absl::Span<const Migration> migrations) {
  std::map<int, const Migration*> known;
  for (const Migration& migration : migrations) {
    known[migration.version] = &migration;
  }
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  for (const auto& [version, row] : applied) {
    auto it = known.find(version);
    if (it == known.end()) {
      if (version > newest) {
        return absl::FailedPreconditionError(
            absl::StrFormat("schema \"%s\" has migration %04d_%s applied, "
                            "newer than this binary knows (its "
                            "newest is %04d): refusing to run against a "
                            "database from a newer release",
                            schema, version, row.name, newest));
      }
      return absl::FailedPreconditionError(
          absl::StrFormat("schema \"%s\" has migration %04d_%s applied, which "
                          "this binary does not have",
                          schema, version, row.name));
    }
    if (row.checksum != MigrationChecksum(it->second->sql)) {
      return absl::FailedPreconditionError(
          absl::StrFormat("migration %s in schema \"%s\" changed after it was "
                          "applied (checksum differs): add a "
                          "new migration instead of editing an applied one",
                          Label(*it->second), schema));
    }
  }
  return absl::OkStatus();
}

absl::Status Apply(Connection& conn, const std::string& quoted_schema, const Migration& migration) {
  absl::StatusOr<Transaction> tx = Transaction::Begin(conn);
  if (!tx.ok()) {
    return tx.status();
  }
  if (absl::StatusOr<Result> r =
          tx->Execute("SELECT set_config('search_path', $1, true)", {quoted_schema});
      !r.ok()) {
    return r.status();
  }
  if (absl::Status status = conn.ExecuteScript(migration.sql); !status.ok()) {
    return status;
  }
  if (PQtransactionStatus(conn.native()) != PQTRANS_INTRANS) {
    return absl::FailedPreconditionError(
        "it ended the migration's transaction itself (COMMIT/ROLLBACK are not "
        "allowed in "
        "migrations)");
  }
  if (absl::StatusOr<Result> r =
          tx->Execute(absl::StrCat("INSERT INTO ", quoted_schema,
                                   ".schema_migrations (version, name, "
                                   "checksum) VALUES ($1, $2, $3)"),
                      {migration.version, migration.name, MigrationChecksum(migration.sql)});
      !r.ok()) {
    return r.status();
  }
  return tx->Commit();
}

absl::Status MigrateLocked(Connection& conn, std::string_view schema,
                           const std::string& quoted_schema,
                           absl::Span<const Migration> migrations) {
  if (absl::Status status =
          conn.ExecuteScript(absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", quoted_schema));
      !status.ok()) {
    return WithMessage(
        status, absl::StrCat("creating schema \"", ToAbsl(schema), "\": ", status.message()));
  }
  if (absl::Status status =
          conn.ExecuteScript(absl::StrCat("CREATE TABLE IF NOT EXISTS ", quoted_schema,
                                          ".schema_migrations (version integer PRIMARY KEY, name "
                                          "text NOT NULL, "
                                          "checksum text NOT NULL, applied_at timestamptz NOT "
                                          "NULL DEFAULT now())"));
      !status.ok()) {
    return WithMessage(status, absl::StrCat("creating ", ToAbsl(schema),
                                            ".schema_migrations: ", status.message()));
  }
  absl::StatusOr<Result> rows = conn.Execute(
      absl::StrCat("SELECT version, name, checksum FROM ", quoted_schema, ".schema_migrations"));
  if (!rows.ok()) {
    return rows.status();
  }
  std::map<int, Applied> applied;
  for (const Row& row : *rows) {
    absl::StatusOr<int32_t> version = row.Get<int32_t>(0);
    absl::StatusOr<std::string> name = row.Get<std::string>(1);
    absl::StatusOr<std::string> checksum = row.Get<std::string>(2);
    if (!version.ok() || !name.ok() || !checksum.ok()) {
      return absl::InternalError(
          absl::StrCat(ToAbsl(schema), ".schema_migrations has a malformed row"));
    }
    applied[*version] = Applied{*name, *checksum};
  }
  if (absl::Status status = CheckApplied(schema, applied, migrations); !status.ok()) {
    return status;
  }
  for (const Migration& migration : migrations) {
    if (applied.contains(migration.version)) {
      continue;
    }
    if (absl::Status status = Apply(conn, quoted_schema, migration); !status.ok()) {
      return WithMessage(
          status, absl::StrCat("migration ", Label(migration), " in schema \"", ToAbsl(schema),
                               "\" failed and was rolled back: ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string MigrationChecksum(std::string_view sql) { return absl::BytesToHexString(Sha256(sql)); }

absl::Status Migrate(Pool& pool, std::string_view schema, absl::Span<const Migration> migrations) {
  if (schema.empty()) {
    return absl::InvalidArgumentError("migration schema name is empty");
  }
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version <= 0 ||
        (i > 0 && migrations[i].version <= migrations[i - 1].version)) {
      return absl::InvalidArgumentError(
          absl::StrCat("migrations must have positive, strictly increasing versions; ",
                       Label(migrations[i]), " breaks the order"));
    }
  }
  absl::StatusOr<PooledConnection> lease = pool.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  Connection& conn = **lease;
  absl::StatusOr<std::string> quoted_schema = QuoteIdentifier(conn, schema);
  if (!quoted_schema.ok()) {
    return quoted_schema.status();
  }
  const int64_t key = AdvisoryLockKey(schema);
  if (absl::StatusOr<Result> r = conn.Execute("SELECT pg_advisory_lock($1)", {key}); !r.ok()) {
    return WithMessage(r.status(), absl::StrCat("taking the migration lock for schema \"",
                                                ToAbsl(schema), "\": ", r.status().message()));
  }
  absl::Status status = MigrateLocked(conn, schema, *quoted_schema, migrations);
  // Migration SQL may have changed session settings; hand the pool a clean session.
  if (!conn.broken()) {
    conn.ExecuteScript("RESET ALL").IgnoreError();
  }
  if (absl::StatusOr<Result> r = conn.Execute("SELECT pg_advisory_unlock($1)", {key});
      !r.ok() && status.ok() && !conn.broken()) {
    status = r.status();
  }
  return status;
}

}  // namespace backoffice::pg
