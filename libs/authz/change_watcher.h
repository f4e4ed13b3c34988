// Keeps a cache exact from a server-streaming change feed (RolesService.WatchPermissionChanges,
// UsersService.WatchUserChanges): a thread holds the stream and applies each change to the cache
// (one key, or everything). The cache is enabled only while the stream is live; when it breaks,
// the cache is disabled (every answer is asked again) until the stream is back and says LIVE.
//
//   ChangeWatcher watcher("user", OpenStream(channel, &UsersService::Stub::WatchUserChanges),
//                         tokens, cache);
//   watcher.Start();   // its own thread; the destructor stops it
//
// Each stream authenticates once, with a service-account token from `token`.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/authz/invalidating_cache.h"

namespace backoffice::authz {

/// One message of a change feed. The feeds' protos share these kinds and numbers
/// (KIND_LIVE = 1, KIND_USER = 2, KIND_ALL = 3, KIND_PAUSED = 4).
struct Change {
  enum class Kind { kLive = 1, kKey = 2, kAll = 3, kPaused = 4 };
  Kind kind = Kind::kAll;
  /// For kKey: what changed (a user id).
  std::string key;
};

/// An open change stream as the watcher reads it.
class ChangeStream {
 public:
  virtual ~ChangeStream() = default;
  /// The next change; false when the stream ended.
  virtual bool Read(Change& change) = 0;
  /// How it ended (after Read returned false).
  virtual absl::Status Finish() = 0;
};

/// Opens a stream with `context` (which carries the token and is cancelled by Stop).
using StreamOpener = std::function<std::unique_ptr<ChangeStream>(grpc::ClientContext& context)>;

/// Returns the `authorization`-ready token (without "Bearer ") for each new stream.
using TokenSource = std::function<absl::StatusOr<std::string>()>;

/// Reconnection timing.
struct ChangeWatcherOptions {
  absl::Duration reconnect_delay = absl::Milliseconds(200);
  absl::Duration max_reconnect_delay = absl::Seconds(5);
};

/// Owns its thread.
class ChangeWatcher {
 public:
  /// `what` names the feed in logs ("permission", "user"). `cache` must outlive the watcher.
  ChangeWatcher(std::string what, StreamOpener open, TokenSource token, CacheInvalidation& cache,
                ChangeWatcherOptions options = {});
  virtual ~ChangeWatcher();
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  void Start();
  /// Cancels the stream and joins the thread (idempotent).
  void Stop();

  /// True while the stream is live (the cache may be used).
  bool live() const { return live_.load(); }
  /// Changes applied and streams opened so far.
  uint64_t changes() const { return changes_.load(); }
  uint64_t streams() const { return streams_.load(); }

 private:
  void Run();
  // One stream until it ends; true if it had been live.
  bool WatchOnce();
  void SetLive(bool live);

  const std::string what_;
  const StreamOpener open_;
  const TokenSource token_;
  CacheInvalidation& cache_;
  const ChangeWatcherOptions options_;
  absl::Notification stopping_;
  absl::Mutex mutex_;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mutex_) = nullptr;
  std::atomic<bool> live_{false};
  std::atomic<uint64_t> changes_{0};
  std::atomic<uint64_t> streams_{0};
  std::thread thread_;
};

/// Converts a finished stream's gRPC status.
absl::Status StreamEndStatus(const grpc::Status& status);

/// The ChangeStream of a gRPC reader of `Message` (a proto with `kind()` and `user_id()`).
template <typename Message>
class ProtoChangeStream final : public ChangeStream {
 public:
  explicit ProtoChangeStream(std::unique_ptr<grpc::ClientReader<Message>> reader)
      : reader_(std::move(reader)) {}

  bool Read(Change& change) override {
    Message message;
    if (!reader_->Read(&message)) return false;
    int kind = static_cast<int>(message.kind());
    // Anything newer than this client is treated as "everything may have changed".
    change.kind = kind >= 1 && kind <= 4 ? static_cast<Change::Kind>(kind) : Change::Kind::kAll;
    change.key = message.user_id();
    return true;
  }
  absl::Status Finish() override { return StreamEndStatus(reader_->Finish()); }

 private:
  std::unique_ptr<grpc::ClientReader<Message>> reader_;
};

/// A StreamOpener calling `method` with a default request on a new stub over `channel`:
///   OpenStream<roles::v1::RolesService>(channel,
///   &roles::v1::RolesService::Stub::WatchPermissionChanges)
template <typename Service, typename Request, typename Message>
StreamOpener OpenStream(std::shared_ptr<grpc::Channel> channel,
                        std::unique_ptr<grpc::ClientReader<Message>> (Service::Stub::*method)(
                            grpc::ClientContext*, const Request&)) {
  return [channel = std::move(channel), method](grpc::ClientContext& context) {
    auto stub = Service::NewStub(channel);
    return std::unique_ptr<ChangeStream>(
        new ProtoChangeStream<Message>(((*stub).*method)(&context, Request())));
  };
}

}  // namespace backoffice::authz
