#include "bench/audit/relay_load.h"

#include <grpcpp/client_context.h>

#include <chrono>
#include <deque>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "proto/audit/v1/audit.grpc.pb.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::bench {
namespace {

struct Probe {
  std::string request_id;
  absl::Time answered;
};

// Changes waiting for their event, oldest first; closed once the load is over.
class ProbeQueue {
 public:
  void Push(Probe probe) {
    absl::MutexLock lock(&mutex_);
    probes_.push_back(std::move(probe));
  }
  void Close() {
    absl::MutexLock lock(&mutex_);
    closed_ = true;
  }
  // False when closed and empty.
  bool Pop(Probe& out) {
    absl::MutexLock lock(&mutex_);
    mutex_.Await(absl::Condition(
        +[](ProbeQueue* q) { return q->closed_ || !q->probes_.empty(); }, this));
    if (probes_.empty()) return false;
    out = std::move(probes_.front());
    probes_.pop_front();
    return true;
  }

 private:
  absl::Mutex mutex_;
  std::deque<Probe> probes_ ABSL_GUARDED_BY(mutex_);
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
};

std::chrono::system_clock::time_point Deadline(absl::Duration d) {
  return std::chrono::system_clock::now() + absl::ToChronoNanoseconds(d);
}

}  // namespace

absl::StatusOr<RelayResult> RunRelayLoad(const ScenarioEnv& users, const AuditEnv& audit,
                                         const std::vector<std::string>& user_ids,
                                         const RelayOptions& options) {
  if (user_ids.empty()) return absl::InvalidArgumentError("no users to update");
  RelayResult result;
  result.request_id_prefix =
      absl::StrCat("audit-bench-relay-", std::random_device{}() % 1000000, "-");
  ProbeQueue queue;
  absl::Mutex results_mutex;

  std::vector<std::thread> probers;
  for (int p = 0; p < options.probers; ++p) {
    probers.emplace_back([&, p] {
      auto stub = audit::v1::AuditService::NewStub(audit.channels[p % audit.channels.size()]);
      Probe probe;
      while (queue.Pop(probe)) {
        audit::v1::QueryEventsRequest request;
        request.mutable_page()->set_page_size(1);
        request.mutable_page()->set_total_count_mode(common::v1::TOTAL_COUNT_MODE_NONE);
        request.mutable_filter()->set_request_id(probe.request_id);
        bool found = false;
        int polls = 0;
        absl::Time seen;
        while (absl::Now() - probe.answered < options.probe_timeout) {
          grpc::ClientContext context;
          context.set_deadline(Deadline(audit.deadline));
          context.AddMetadata("authorization", absl::StrCat("Bearer ", audit.user_token));
          audit::v1::QueryEventsResponse response;
          ++polls;
          if (audit::v1::AuditService::Stub* s = stub.get();
              s->QueryEvents(&context, request, &response).ok() && response.events_size() > 0) {
            seen = absl::Now();
            found = true;
            break;
          }
          absl::SleepFor(options.poll_interval);
        }
        absl::MutexLock lock(&results_mutex);
        if (found) {
          result.visible_ns.push_back(absl::ToInt64Nanoseconds(seen - probe.answered));
          if (polls == 1) ++result.found_on_first_poll;
        } else {
          ++result.not_seen;
        }
      }
    });
  }

  auto stub = users::v1::UsersService::NewStub(users.channels[0]);
  const absl::Time start = absl::Now();
  const int64_t total =
      static_cast<int64_t>(absl::ToDoubleSeconds(options.duration) * options.rate);
  for (int64_t i = 0; i < total; ++i) {
    const absl::Time slot = start + absl::Seconds(static_cast<double>(i) / options.rate);
    if (absl::Time now = absl::Now(); now < slot) absl::SleepFor(slot - now);
    users::v1::UpdateUserRequest request;
    request.mutable_user()->set_id(user_ids[i % user_ids.size()]);
    request.mutable_user()->set_display_name(absl::StrCat("Relay bench ", i));
    request.mutable_update_mask()->add_paths("display_name");
    const std::string request_id = absl::StrCat(result.request_id_prefix, i);
    grpc::ClientContext context;
    context.set_deadline(Deadline(users.deadline));
    context.AddMetadata("authorization", absl::StrCat("Bearer ", users.access_token));
    context.AddMetadata("x-request-id", request_id);
    users::v1::User user;
    const absl::Time sent = absl::Now();
    grpc::Status status = stub->UpdateUser(&context, request, &user);
    const absl::Time answered = absl::Now();
    ++result.updates;
    if (!status.ok()) {
      if (result.update_errors++ == 0) {
        result.first_error = absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                          status.error_message());
      }
      continue;
    }
    result.update_ns.push_back(absl::ToInt64Nanoseconds(answered - sent));
    queue.Push(Probe{.request_id = request_id, .answered = answered});
  }
  result.elapsed = absl::Now() - start;
  queue.Close();
  for (std::thread& t : probers) t.join();
  return result;
}

}  // namespace backoffice::bench
