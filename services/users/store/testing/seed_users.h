// Fast bulk seeding of the users table for tests and benchmarks: one INSERT ... SELECT
// generate_series, a million rows in seconds. Writes no outbox events and bypasses validation:
// never use it on a real deployment.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"

namespace backoffice::users::testing {

/// What SeedUsers inserts: users first_index .. first_index + count - 1, with email
/// "user<i>@<email_domain>" and display_name "User <i>".
struct SeedOptions {
  int64_t count = 0;
  int64_t first_index = 1;
  std::string email_domain = "example.com";
  /// created_at (and updated_at) = created_base + (i / users_per_second) seconds.
  absl::Time created_base = absl::FromUnixSeconds(1'704'067'200);  // 2024-01-01T00:00:00Z
  /// Consecutive users that share a creation time (ties for keyset tests); at least 1.
  int64_t users_per_second = 1;
  /// Every n-th user is disabled (0: none).
  int64_t disabled_every = 0;
  /// Every n-th user is soft-deleted (0: none).
  int64_t deleted_every = 0;
  /// Run ANALYZE afterwards so the planner (and estimated totals) see the new rows.
  bool analyze = true;
};

/// Inserts the users in one statement. The pool's search_path must be `users`. ALREADY_EXISTS if
/// an email is taken (seed disjoint ranges or domains).
absl::Status SeedUsers(pg::Pool& pool, const SeedOptions& options);

}  // namespace backoffice::users::testing
