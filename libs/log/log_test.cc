#include "libs/log/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace backoffice::log {
namespace {

namespace json = boost::json;

// Captures lines through SetSinkForTesting for the lifetime of the object.
class CapturedLines final {
 public:
  CapturedLines() {
    SetSinkForTesting([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLines() {
    SetSinkForTesting(nullptr);
    SetMinLevel(Level::kInfo);
  }

  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

  // Parses every captured line as one JSON object.
  std::vector<json::object> Objects() {
    std::vector<json::object> objects;
    for (const std::string& line : Lines()) {
      INFO(line);
      REQUIRE(line.find('\n') == std::string::npos);
      boost::system::error_code error;
      json::value value = json::parse(line, error);
      REQUIRE(!error);
      REQUIRE(value.is_object());
      objects.push_back(value.as_object());
    }
    return objects;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Whether `time` looks like 2026-11-22T03:44:01.123456Z (std::regex trips g++ 12 warnings
// under the asan config).
bool IsRfc3339Micros(const std::string& time) {
  const std::string pattern = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (time.size() != pattern.size()) {
    return false;
  }
  for (size_t i = 0; i < pattern.size(); ++i) {
    const bool ok = pattern[i] == 'd' ? (time[i] >= '0' && time[i] <= '9') : time[i] == pattern[i];
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string Str(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  REQUIRE(value != nullptr);
  REQUIRE(value->is_string());
  return std::string(value->as_string());
}

TEST_CASE("A line has time, level, msg, then fields in order with their JSON types") {
  CapturedLines captured;
  const std::string path = "/var/lib/backoffice";
  const int64_t big = 9'007'199'254'740'993;  // Needs 64 bits; a double would round it.
  Info("listening", {{"port", 8080},
                     {"ok", true},
                     {"tls", false},
                     {"ratio", 0.25},
                     {"path", path},
                     {"mode", "prod"},
                     {"big", big},
                     {"unsigned", 7u}});

  std::vector<json::object> objects = captured.Objects();
  REQUIRE(objects.size() == 1);
  const json::object& line = objects[0];
  std::vector<std::string> keys;
  for (const auto& member : line) {
    keys.emplace_back(member.key());
  }
  CHECK(keys == std::vector<std::string>{"time", "level", "msg", "port", "ok", "tls", "ratio",
                                         "path", "mode", "big", "unsigned"});
  CHECK(IsRfc3339Micros(Str(line, "time")));
  CHECK(Str(line, "level") == "info");
  CHECK(Str(line, "msg") == "listening");
  CHECK(line.at("port").as_int64() == 8080);
  CHECK(line.at("ok").as_bool() == true);
  CHECK(line.at("tls").as_bool() == false);
  CHECK(line.at("ratio").as_double() == 0.25);
  CHECK(Str(line, "path") == path);
  CHECK(Str(line, "mode") == "prod");
  CHECK(line.at("big").as_int64() == big);
  CHECK(line.at("unsigned").as_int64() == 7);
  CHECK(!line.contains("request_id"));
  CHECK(!line.contains("trace_id"));
}

TEST_CASE("Messages and values may be absl::string_view, std::string or literals") {
  CapturedLines captured;
  const absl::Status status = absl::NotFoundError("user u-1 not found");
  const std::string owned = "owned";
  Error(status.message(), {{"detail", status.message()}});
  Warn(owned);
  Info("literal");
  Info(std::string_view("view"));
  std::vector<json::object> objects = captured.Objects();
  REQUIRE(objects.size() == 4);
  CHECK(Str(objects[0], "msg") == "user u-1 not found");
  CHECK(Str(objects[0], "detail") == "user u-1 not found");
  CHECK(Str(objects[1], "msg") == "owned");
  CHECK(Str(objects[2], "msg") == "literal");
  CHECK(Str(objects[3], "msg") == "view");
}

TEST_CASE("Field keys that collide with the line's own keys are prefixed") {
  CapturedLines captured;
  Info("real", {{"msg", "fake"}, {"level", "fake"}});
  std::vector<json::object> objects = captured.Objects();
  REQUIRE(objects.size() == 1);
  CHECK(Str(objects[0], "msg") == "real");
  CHECK(Str(objects[0], "level") == "info");
  CHECK(Str(objects[0], "field.msg") == "fake");
  CHECK(Str(objects[0], "field.level") == "fake");
}

TEST_CASE("The minimum level filters lines") {
  CapturedLines captured;
  SetMinLevel(Level::kWarn);
  Debug("d");
  Info("i");
  Warn("w");
  Error("e");
  SetMinLevel(Level::kDebug);
  Debug("d2");

  std::vector<json::object> objects = captured.Objects();
  REQUIRE(objects.size() == 3);
  CHECK(Str(objects[0], "level") == "warn");
  CHECK(Str(objects[0], "msg") == "w");
  CHECK(Str(objects[1], "level") == "error");
  CHECK(Str(objects[2], "level") == "debug");
  CHECK(Str(objects[2], "msg") == "d2");
}

TEST_CASE("ParseLevel reads level names in any case") {
  CHECK(*ParseLevel("debug") == Level::kDebug);
  CHECK(*ParseLevel("INFO") == Level::kInfo);
  CHECK(*ParseLevel("Warn") == Level::kWarn);
  CHECK(*ParseLevel("warning") == Level::kWarn);
  CHECK(*ParseLevel("error") == Level::kError);
  absl::StatusOr<Level> bad = ParseLevel("verbose");
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message() ==
        "unknown log level \"verbose\" (want debug, info, warn or error)");
}

TEST_CASE("Messages, keys and values survive escaping byte for byte") {
  CapturedLines captured;
  const std::string nasty = std::string("quote\" back\\slash\nnew\ttab\x01 ctrl ") +
                            "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 " + "}{\",";
  Error(nasty, {{"k\"ey\n", nasty}});
  Warn("bad utf8 \xff\xfe end", {{"v", "\xc0\xaf"}});

  std::vector<std::string> lines = captured.Lines();
  REQUIRE(lines.size() == 2);
  for (const std::string& raw : lines) {
    for (char c : raw) {
      CHECK(static_cast<unsigned char>(c) >= 0x20);  // No raw control characters.
    }
  }
  std::vector<json::object> objects = captured.Objects();
  CHECK(Str(objects[0], "msg") == nasty);
  CHECK(Str(objects[0], "k\"ey\n") == nasty);
  CHECK(Str(objects[1], "msg") == "bad utf8 \xef\xbf\xbd\xef\xbf\xbd end");
  CHECK(Str(objects[1], "v") == "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("Doubles that JSON cannot hold become strings") {
  CapturedLines captured;
  Info("n", {{"nan", std::numeric_limits<double>::quiet_NaN()},
             {"inf", std::numeric_limits<double>::infinity()}});
  std::vector<json::object> objects = captured.Objects();
  REQUIRE(objects.size() == 1);
  CHECK(Str(objects[0], "nan") == "NaN");
  CHECK(Str(objects[0], "inf") == "+Inf");
}

TEST_CASE("Secret-looking keys are redacted whatever the value type") {
  CapturedLines captured;
  Info("login", {{"password", "hunter2"},
                 {"Authorization", "Basic dXNlcjpwYXNz"},
                 {"refresh_token", "rt-123"},
                 {"X-Api-Key", "k-456"},
                 {"session_cookie", "c-789"},
                 {"private_key", "-----BEGIN"},
                 {"client_secret", 12345},
                 {"token_valid", true},
                 {"user", "u-1"}});
  const std::vector<std::string> lines = captured.Lines();
  REQUIRE(lines.size() == 1);
  for (const char* secret :
       {"hunter2", "dXNlcjpwYXNz", "rt-123", "k-456", "c-789", "BEGIN", "12345"}) {
    INFO(secret);
    CHECK(lines[0].find(secret) == std::string::npos);
  }
  const json::object line = captured.Objects()[0];
  for (const char* key : {"password", "Authorization", "refresh_token", "X-Api-Key",
                          "session_cookie", "private_key", "client_secret", "token_valid"}) {
    INFO(key);
    CHECK(Str(line, key) == "[REDACTED]");
  }
  CHECK(Str(line, "user") == "u-1");
}

TEST_CASE("Emails, bearer tokens and JWTs are masked in messages and string values") {
  CapturedLines captured;
  const std::string jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.U2lnbmF0dXJlU2lnbmF0dXJl";
  Info("invited alice@example.com with " + jwt,
       {{"header", "Bearer abcdef0123456789"}, {"to", "Bob.Jones@corp.example.org"}});

  const std::vector<std::string> lines = captured.Lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("alice@") == std::string::npos);
  CHECK(lines[0].find("Bob.Jones") == std::string::npos);
  CHECK(lines[0].find("abcdef0123456789") == std::string::npos);
  CHECK(lines[0].find("eyJ") == std::string::npos);
  const json::object line = captured.Objects()[0];
  CHECK(Str(line, "msg") == "invited a***@example.com with [REDACTED]");
  CHECK(Str(line, "header") == "Bearer [REDACTED]");
  CHECK(Str(line, "to") == "B***@corp.example.org");
}

TEST_CASE("ScopedContext adds request and trace ids and nests") {
  CapturedLines captured;
  {
    ScopedContext outer("req-outer", "trace-outer");
    Info("in outer");
    {
      ScopedContext inner("req-inner", "");
      Info("in inner");
    }
    Info("outer again");
  }
  Info("no context");

  std::vector<json::object> objects = captured.Objects();
  REQUIRE(objects.size() == 4);
  CHECK(Str(objects[0], "request_id") == "req-outer");
  CHECK(Str(objects[0], "trace_id") == "trace-outer");
  CHECK(Str(objects[1], "request_id") == "req-inner");
  CHECK(!objects[1].contains("trace_id"));
  CHECK(Str(objects[2], "request_id") == "req-outer");
  CHECK(Str(objects[2], "trace_id") == "trace-outer");
  CHECK(!objects[3].contains("request_id"));
  CHECK(!objects[3].contains("trace_id"));
}

TEST_CASE("Contexts are per thread; concurrent lines are whole and all arrive") {
  CapturedLines captured;
  constexpr int kThreads = 8;
  constexpr int kLinesPerThread = 200;
  ScopedContext main_context("req-main", "trace-main");  // Must not leak into the workers.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      Info("before context", {{"thread", t}});
      ScopedContext context("req-" + std::to_string(t), "trace-" + std::to_string(t));
      for (int i = 0; i < kLinesPerThread; ++i) {
        ScopedContext nested("req-" + std::to_string(t) + "-" + std::to_string(i),
                             "trace-" + std::to_string(t));
        Info("work", {{"thread", t}, {"i", i}});
      }
      Info("after nested", {{"thread", t}});
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }

  std::vector<json::object> objects = captured.Objects();
  REQUIRE(objects.size() == kThreads * (kLinesPerThread + 2));
  std::vector<int> work_lines(kThreads, 0);
  for (const json::object& line : objects) {
    const int64_t t = line.at("thread").as_int64();
    const std::string msg = Str(line, "msg");
    if (msg == "before context") {
      CHECK(!line.contains("request_id"));
    } else if (msg == "after nested") {
      CHECK(Str(line, "request_id") == "req-" + std::to_string(t));
    } else {
      const int64_t i = line.at("i").as_int64();
      CHECK(Str(line, "request_id") == "req-" + std::to_string(t) + "-" + std::to_string(i));
      CHECK(Str(line, "trace_id") == "trace-" + std::to_string(t));
      ++work_lines[static_cast<size_t>(t)];
    }
  }
  CHECK(work_lines == std::vector<int>(kThreads, kLinesPerThread));
}

TEST_CASE("Without a test sink, lines go to stderr one per line") {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/stderr.log";
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(file >= 0);
  const int saved_stderr = ::dup(STDERR_FILENO);
  REQUIRE(::dup2(file, STDERR_FILENO) == STDERR_FILENO);
  constexpr int kThreads = 4;
  constexpr int kLinesPerThread = 250;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLinesPerThread; ++i) {
        Warn(std::string(200, 'x'), {{"thread", t}, {"i", i}});
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  ::dup2(saved_stderr, STDERR_FILENO);
  ::close(saved_stderr);
  ::close(file);

  std::ifstream in(path);
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    boost::system::error_code error;
    json::value value = json::parse(line, error);
    INFO(line);
    REQUIRE(!error);
    CHECK(value.at("level").as_string() == "warn");
    ++count;
  }
  CHECK(count == kThreads * kLinesPerThread);
}

}  // namespace
}  // namespace backoffice::log
