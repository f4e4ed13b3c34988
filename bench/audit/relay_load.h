// The relay-lag part of the audit benchmark: a steady, open-loop load of UpdateUser calls
// through the users service (each commits a change and its outbox event in one transaction), and
// probes that poll the audit service until each change's event is queryable (QueryEvents by the
// x-request-id the update was sent with), so the lag from the change's answer to the event being
// readable in the audit log is measured end to end.
//
//   RelayResult r = *RunRelayLoad(users_env, audit_env, user_ids, {.rate = 50, ...});
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/audit/audit_scenarios.h"
#include "bench/users/users_scenarios.h"

namespace backoffice::bench {

struct RelayOptions {
  /// UpdateUser calls per second, issued on a fixed schedule (not waiting for the previous one
  /// beyond its slot).
  double rate = 50;
  absl::Duration duration = absl::Seconds(30);
  /// Between two QueryEvents polls of one probe.
  absl::Duration poll_interval = absl::Milliseconds(5);
  /// Probe threads (each follows one change at a time, oldest first).
  int probers = 8;
  /// A change not queryable after this is counted as not seen.
  absl::Duration probe_timeout = absl::Seconds(30);
};

struct RelayResult {
  int64_t updates = 0;
  int64_t update_errors = 0;
  absl::Status first_error;
  /// UpdateUser latencies (ns) of the successful calls.
  std::vector<int64_t> update_ns;
  /// From each update's answer to the first poll that found its event (ns).
  std::vector<int64_t> visible_ns;
  /// Probes whose first poll already found the event (their lag is at most that poll's).
  int64_t found_on_first_poll = 0;
  int64_t not_seen = 0;
  /// The load's actual window (the last call may end after the schedule).
  absl::Duration elapsed;
  /// Request ids the updates carried start with this.
  std::string request_id_prefix;
};

/// Runs the load: update i renames user_ids[i % size] ("Relay bench <i>") with x-request-id
/// `<prefix><i>`; then waits for the probes. Errors only for setup (no users).
absl::StatusOr<RelayResult> RunRelayLoad(const ScenarioEnv& users, const AuditEnv& audit,
                                         const std::vector<std::string>& user_ids,
                                         const RelayOptions& options);

}  // namespace backoffice::bench
