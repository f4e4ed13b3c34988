// A test's end of a watch stream (roles' WatchPermissionChanges, users' WatchUserChanges): reads
// changes, skips those about other users, and ends the call. `Change` is the stream's message
// (roles.v1.PermissionChange, users.v1.UserChange): both carry kind() and user_id() and name
// the per-user kind KIND_USER.
//
//   tests::WatchStream<v1::UserChange> watch;
//   watch.context.AddMetadata("authorization", "Bearer " + token);
//   watch.reader = stub.WatchUserChanges(&watch.context, v1::WatchUserChangesRequest());
//   REQUIRE(watch.Next().kind() == v1::UserChange::KIND_LIVE);
#pragma once

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

namespace backoffice::tests {

template <typename Change>
struct WatchStream {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<Change>> reader;
  bool finished = false;

  WatchStream() = default;
  WatchStream(const WatchStream&) = delete;
  WatchStream& operator=(const WatchStream&) = delete;
  /// Cancels the call if it is still open.
  ~WatchStream() {
    if (reader != nullptr && !finished) {
      context.TryCancel();
      Finish();
    }
  }

  /// Ends the call; its status.
  grpc::Status Finish() {
    finished = true;
    return reader->Finish();
  }

  /// The next change (fails the test if the stream ends).
  Change Next() {
    Change change;
    REQUIRE(reader->Read(&change));
    return change;
  }

  /// The next change that is not about another user than `user_id`: notifications of earlier
  /// commits may still be on their way when a watch starts (they arrive in commit order).
  Change NextAbout(const std::string& user_id) {
    while (true) {
      Change change = Next();
      if (change.kind() != Change::KIND_USER || change.user_id() == user_id) {
        return change;
      }
    }
  }

  /// Reads until the stream ends; its status (for a call the server refuses or ends).
  grpc::Status Ended() {
    Change change;
    while (reader->Read(&change)) {
    }
    return Finish();
  }
};

}  // namespace backoffice::tests
