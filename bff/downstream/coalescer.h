// Concurrent loads of the same key share one downstream call ("single flight"): the first caller
// leads and asks, callers that arrive while it is asking wait for its answer instead of asking
// too. A cache in front of a service uses it so that the moment after an invalidation, when every
// connection misses at once, costs one call per key rather than one per connection.
//
//   uint64_t generation = cache.generation();        // before asking
//   absl::StatusOr<T> answer = co_await CoalescedLoad(coalescer, key, generation,
//                                                     AskAndStore(..., generation));
//
// (or Join / Wait / Complete by hand). A failed leader shares nothing: each waiter then asks on
// its own, so that it gets its own error.
//
// Exactness: a caller only joins a flight that started at the cache generation it sees now, so
// an answer loaded before a change the caller already knows of (its own write, a notice) is never
// handed to it; a newer flight replaces the stale one for later callers.
//
// Waiters may run on any I/O thread: each waits on a timer of its own executor, which the leader
// cancels through a post to that executor. Thread-safe.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace backoffice::bff::downstream {

template <typename T>
class Coalescer {
 public:
  /// Longest a waiter waits for a leader before asking on its own.
  static constexpr std::chrono::seconds kMaxWait{60};

  /// One call in progress and the callers waiting for it.
  class Flight {
   public:
    explicit Flight(uint64_t generation) : generation_(generation) {}

   private:
    friend class Coalescer;
    const uint64_t generation_;
    absl::Mutex mutex_;
    bool done_ ABSL_GUARDED_BY(mutex_) = false;
    std::optional<T> answer_ ABSL_GUARDED_BY(mutex_);
    std::vector<std::function<void()>> wake_ ABSL_GUARDED_BY(mutex_);
  };

  struct Joined {
    std::shared_ptr<Flight> flight;
    /// Whether the caller leads (it must Complete) or waits.
    bool leads = false;
  };

  /// Joins the flight for `key` started at `generation`, or starts one (the caller leads).
  Joined Join(std::string_view key, uint64_t generation) {
    absl::MutexLock lock(&mutex_);
    auto it = flights_.find(Key(key));
    if (it != flights_.end() && it->second->generation_ == generation) {
      joined_.fetch_add(1, std::memory_order_relaxed);
      return {it->second, false};
    }
    auto flight = std::make_shared<Flight>(generation);
    flights_[std::string(key)] = flight;
    return {flight, true};
  }

  /// The leader's answer (nullopt: it failed and shares nothing). Wakes every waiter.
  void Complete(std::string_view key, const std::shared_ptr<Flight>& flight,
                std::optional<T> answer) {
    {
      absl::MutexLock lock(&mutex_);
      auto it = flights_.find(Key(key));
      if (it != flights_.end() && it->second == flight) flights_.erase(it);
      if (abandoned_) {
        // The I/O threads are gone (an unclean shutdown destroys suspended leaders): posting
        // to their executors would touch destroyed io_contexts.
        absl::MutexLock flight_lock(&flight->mutex_);
        flight->done_ = true;
        flight->wake_.clear();
        return;
      }
    }
    std::vector<std::function<void()>> wake;
    {
      absl::MutexLock lock(&flight->mutex_);
      flight->done_ = true;
      flight->answer_ = std::move(answer);
      wake.swap(flight->wake_);
    }
    for (std::function<void()>& one : wake) one();
  }

  /// Waits for the flight's leader; its answer, or nullopt when it failed or took longer than
  /// kMaxWait (a safety net: the leader's call has its own deadline).
  static boost::asio::awaitable<std::optional<T>> Wait(std::shared_ptr<Flight> flight) {
    auto executor = co_await boost::asio::this_coro::executor;
    auto timer = std::make_shared<boost::asio::steady_timer>(executor, kMaxWait);
    bool wait = false;
    {
      absl::MutexLock lock(&flight->mutex_);
      if (!flight->done_) {
        wait = true;
        // Posted to this coroutine's executor, so the cancel runs after async_wait started
        // (each I/O thread runs its own io_context).
        flight->wake_.push_back(
            [executor, timer] { boost::asio::post(executor, [timer] { timer->cancel(); }); });
      }
    }
    if (wait) {
      boost::system::error_code ignored;
      co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    absl::MutexLock lock(&flight->mutex_);
    if (!flight->done_) co_return std::nullopt;  // the safety net fired
    co_return flight->answer_;
  }

  /// At shutdown, before the I/O contexts are destroyed: leaders completing afterwards (their
  /// coroutines destroyed unfinished) wake nobody.
  void Abandon() {
    absl::MutexLock lock(&mutex_);
    abandoned_ = true;
  }

  /// Completes a led flight when it goes out of scope, with nothing unless Share was called, so
  /// a leader that returns early never leaves its waiters hanging.
  class Lead {
   public:
    Lead(Coalescer& coalescer, std::string key, Joined joined)
        : coalescer_(coalescer), key_(std::move(key)), joined_(std::move(joined)) {}
    ~Lead() {
      if (joined_.leads) coalescer_.Complete(key_, joined_.flight, std::move(answer_));
    }
    Lead(const Lead&) = delete;
    Lead& operator=(const Lead&) = delete;

    /// The answer the waiters get.
    void Share(T answer) { answer_ = std::move(answer); }

   private:
    Coalescer& coalescer_;
    const std::string key_;
    const Joined joined_;
    std::optional<T> answer_;
  };

  /// Callers that waited for another's call instead of asking (for metrics).
  uint64_t joined() const { return joined_.load(std::memory_order_relaxed); }

 private:
  static absl::string_view Key(std::string_view key) { return {key.data(), key.size()}; }

  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(mutex_);
  bool abandoned_ ABSL_GUARDED_BY(mutex_) = false;
  std::atomic<uint64_t> joined_{0};
};

/// Runs `load` (a lazily started awaitable: it runs only if needed) as one flight of
/// `coalescer`: leads when no flight for `key` at `generation` is in progress, else waits for
/// that one's answer — and runs `load` itself when the leader failed. The leader shares only an
/// OK answer.
template <typename T>
boost::asio::awaitable<absl::StatusOr<T>> CoalescedLoad(
    Coalescer<T>& coalescer, std::string key, uint64_t generation,
    boost::asio::awaitable<absl::StatusOr<T>> load) {
  typename Coalescer<T>::Joined joined = coalescer.Join(key, generation);
  if (!joined.leads) {
    if (std::optional<T> shared = co_await Coalescer<T>::Wait(joined.flight)) co_return *shared;
    co_return co_await std::move(load);  // the leader's error may not be ours: ask on our own
  }
  typename Coalescer<T>::Lead lead(coalescer, std::move(key), std::move(joined));
  absl::StatusOr<T> answer = co_await std::move(load);
  if (answer.ok()) lead.Share(*answer);
  co_return answer;
}

}  // namespace backoffice::bff::downstream
