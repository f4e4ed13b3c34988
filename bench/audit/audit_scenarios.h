// The audit benchmark's AuditService calls: appends of synthetic events with a service-account
// token, queries with a user token (audit:read) over the seeded log (event_model.h), a deep page
// by token, and VerifyChain over the whole chain in pieces. Each load scenario is a CallFactory
// for RunClosedLoop (bench/users/load_runner.h) that checks the answer's shape.
//
//   AuditEnv env{.channels = *MakeChannels(target, 4, absl::Seconds(10)), .layout = layout,
//                .user_token = token, .service_tokens = {{"users", &users_tokens}, ...}};
//   RunClosedLoop(options, AppendCalls(env, 500, tally));
#pragma once

#include <grpcpp/channel.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/audit/event_model.h"
#include "bench/users/load_runner.h"
#include "libs/auth/service_token.h"
#include "proto/audit/v1/audit.pb.h"

namespace backoffice::bench {

/// What every scenario shares; must outlive the calls made from it.
struct AuditEnv {
  /// Separate HTTP/2 connections; thread i uses channels[i % size].
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  /// The seeded log (queries pick a random seeded event's actor, action or resource).
  EventLayout layout;
  /// A user access token with audit:read (queries, verification).
  std::string user_token;
  /// Service-account token sources by service name (ModelServices()): AppendEvents callers.
  std::map<std::string, auth::ServiceTokenSource*> service_tokens;
  /// Deadline of each call.
  absl::Duration deadline = absl::Seconds(30);
};

/// The proto of a model event (producer fields only), as a producer sends it.
audit::v1::AuditEvent ToProto(const audit::Event& event);

/// Counts of what appends stored.
struct AppendTally {
  std::atomic<int64_t> accepted{0};
  /// First id number handed out (ids are unique per run: a random 31-bit prefix).
  std::atomic<uint64_t> next{0};
};

/// AppendEvents of `batch` fresh events (new ids, event_time now), each thread as one service of
/// ModelServices() (thread % 2) with that service's token; every result must be ACCEPTED.
CallFactory AppendCalls(const AuditEnv& env, int batch, AppendTally& tally);

/// Which filter a first-page query uses.
enum class QueryFilter { kNone, kResource, kActor, kAction };

/// The filter of `kind` that seeded event `i` matches (resource type + id, actor id, action).
audit::v1::EventFilter FilterFor(QueryFilter kind, int64_t i, const EventLayout& layout);

/// Rows seen by query scenarios, to report how selective each filter was.
struct QueryTally {
  std::atomic<int64_t> calls{0};
  std::atomic<int64_t> rows{0};
  std::atomic<int64_t> total_sum{0};
  std::atomic<int64_t> estimated{0};
};

/// QueryEvents, first page of `page_size`, newest first, default total, filtered by `kind` for a
/// random seeded event; the page must hold that filter's matches (at least one; a full page for
/// actor and action, which match thousands at ten million events).
CallFactory FirstPageCalls(const AuditEnv& env, QueryFilter kind, int page_size, QueryTally& tally);

/// The page token of the page `rows` rows into `request`'s listing, walked to by pages of 500
/// (tokens bind filters and order, not page size).
absl::StatusOr<std::string> WalkToDepth(const AuditEnv& env, audit::v1::QueryEventsRequest request,
                                        int64_t rows);

/// QueryEvents with `request` (a page token in it) every time; the page must hold
/// `expected_rows` events.
CallFactory PageCalls(const AuditEnv& env, audit::v1::QueryEventsRequest request,
                      int expected_rows);

/// One VerifyChain call's outcome.
struct VerifyPiece {
  int64_t start = 0;
  int64_t end = 0;
  int64_t verified = 0;
  absl::Duration took;
};

/// VerifyChain over [1, head] in pieces of `piece` events (the API allows 1,000,000), one call
/// after the other. FAILED_PRECONDITION naming the sequence when a piece is not intact.
absl::StatusOr<std::vector<VerifyPiece>> VerifyWholeChain(const AuditEnv& env, int64_t piece);

/// The head of the chain (GetCheckpoint).
absl::StatusOr<int64_t> HeadSequence(const AuditEnv& env);

}  // namespace backoffice::bench
