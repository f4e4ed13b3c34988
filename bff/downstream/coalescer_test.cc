// Coalescer: waiters on other I/O threads get the leader's answer, a failed leader shares
// nothing, and a caller that has seen a newer generation never joins an older flight.
#include "bff/downstream/coalescer.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <optional>
#include <string>
#include <thread>

namespace backoffice::bff::downstream {
namespace {

namespace asio = boost::asio;
using Loads = Coalescer<std::string>;

// An io_context run by its own thread, as each of the BFF's I/O threads runs one.
class IoThread {
 public:
  IoThread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    thread_.join();
  }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

std::future<std::optional<std::string>> WaitOn(IoThread& thread,
                                               std::shared_ptr<Loads::Flight> flight) {
  return asio::co_spawn(thread.io(), Loads::Wait(std::move(flight)), asio::use_future);
}

}  // namespace

TEST_CASE("waiters on other threads get the leader's answer", "[coalescer]") {
  Loads loads;
  IoThread first, second;
  Loads::Joined leader = loads.Join("user-1", 7);
  REQUIRE(leader.leads);
  Loads::Joined a = loads.Join("user-1", 7);
  Loads::Joined b = loads.Join("user-1", 7);
  REQUIRE_FALSE(a.leads);
  REQUIRE_FALSE(b.leads);
  CHECK(loads.Join("user-2", 7).leads);  // another key, another flight
  auto answer_a = WaitOn(first, a.flight);
  auto answer_b = WaitOn(second, b.flight);
  CHECK(answer_a.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  loads.Complete("user-1", leader.flight, "record v7");
  CHECK(answer_a.get() == "record v7");
  CHECK(answer_b.get() == "record v7");
  CHECK(loads.joined() == 2);
  // Done flights are forgotten: the next miss leads again, and a late waiter still gets it.
  CHECK(loads.Join("user-1", 7).leads);
  CHECK(WaitOn(first, a.flight).get() == "record v7");
}

TEST_CASE("a failed leader shares nothing, and its guard always completes", "[coalescer]") {
  Loads loads;
  IoThread thread;
  std::future<std::optional<std::string>> waiting;
  {
    Loads::Joined joined = loads.Join("page", 1);
    Loads::Lead lead(loads, "page", joined);
    waiting = WaitOn(thread, loads.Join("page", 1).flight);
  }  // returns without Share: an error
  CHECK(waiting.get() == std::nullopt);
  {
    Loads::Lead lead(loads, "page", loads.Join("page", 1));
    waiting = WaitOn(thread, loads.Join("page", 1).flight);
    lead.Share("rows");
  }
  CHECK(waiting.get() == "rows");
}

TEST_CASE("a caller that saw a newer generation leads a new flight", "[coalescer]") {
  Loads loads;
  IoThread thread;
  Loads::Joined old_leader = loads.Join("user-1", 3);
  // A change arrived (generation 4): this caller must not get what the old flight loads.
  Loads::Joined new_leader = loads.Join("user-1", 4);
  CHECK(new_leader.leads);
  Loads::Joined follower = loads.Join("user-1", 4);
  REQUIRE_FALSE(follower.leads);
  auto answer = WaitOn(thread, follower.flight);
  loads.Complete("user-1", old_leader.flight, "before the change");
  CHECK(answer.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  loads.Complete("user-1", new_leader.flight, "after the change");
  CHECK(answer.get() == "after the change");
}

}  // namespace backoffice::bff::downstream
