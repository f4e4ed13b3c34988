#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "tests/support/child_process.h"

namespace backoffice::tests {

/// A fresh path under $TEST_TMPDIR (or /tmp) for a test's files and child logs.
std::string TestTempPath(const std::string& name);

/// A loopback TCP port that was free a moment ago, for a child that must be told its port before
/// another child starts (e.g. users needs --roles_address before roles exists).
int FreePort();

/// Writes `content` to a fresh TestTempPath(name) and returns the path (keys, passwords, JWKS
/// files handed to a binary by flag).
std::string WriteTempFile(const std::string& name, const std::string& content);

/// The first JSON log line in `output` whose `msg` is `msg`, or an empty object.
boost::json::object FindLogLine(const std::string& output, const std::string& msg);

/// Waits (bounded, 30 s) for the first JSON log line of `process` whose msg is `msg` and returns
/// it. Fails the test, with the child's output, if the child exits first or never logs it.
boost::json::object WaitForLogLine(ChildProcess& process, const std::string& name,
                                   const std::string& msg);

/// Waits (bounded) for a platform binary's "service started" log line and returns it; it names
/// the bound `grpc_address` and `admin_address`. Fails the test, with the child's output, if the
/// child exits first or never starts.
boost::json::object WaitForServiceStart(ChildProcess& process, const std::string& name);

}  // namespace backoffice::tests
