// The revoke-to-refusal benchmark of bench/bff/run.sh: how long after RolesService.RevokeRole
// answers does the BFF refuse the user (the first 403), and how many requests still got through.
//
// Setup, as the bootstrap admin (users Login RPC): a new account with a password (CreateUser) and
// a custom role carrying --permission (CreateRole). Then --rounds times:
//   1. the user logs in through the BFF (POST /api/auth/token) and gets an access token;
//   2. GrantRole; GET --path is polled until it answers 200 (grant-to-allowed is recorded too);
//   3. RevokeRole; from its answer on, GET --path is polled back to back on one kept-alive
//      connection until it answers 403: the time to that answer and the 200s before it.
// A round fails when a poll sees another status, an error, or no change within --max_wait. Prints
// one Markdown table row (bench/bff/revoke_report.h), with the header when --header.
//
//   revoke_latency --bff=127.0.0.1:8080 --users_target=127.0.0.1:50051
//       --roles_target=127.0.0.1:50052 --email=admin@example.com --password_file=pw
//       --path=/api/users/<some id> --label="watch (cached)"
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/bff/http_client.h"
#include "bench/bff/revoke_report.h"
#include "bench/users/users_scenarios.h"
#include "libs/config/command_line.h"
#include "libs/config/secret_file.h"
#include "proto/roles/v1/roles.grpc.pb.h"
#include "proto/users/v1/users.grpc.pb.h"

ABSL_FLAG(std::string, bff, "127.0.0.1:8080", "the BFF's host:port (numeric address)");
ABSL_FLAG(std::string, users_target, "127.0.0.1:50051", "users service gRPC address");
ABSL_FLAG(std::string, roles_target, "127.0.0.1:50052", "roles service gRPC address");
ABSL_FLAG(std::string, email, "", "admin account (creates the user and role, grants, revokes)");
ABSL_FLAG(std::string, password_file, "", "file holding that account's password");
ABSL_FLAG(std::string, path, "",
          "the route polled, e.g. /api/users/<id>; {self} stands for the new user's own id");
ABSL_FLAG(std::string, permission, "users:read", "the permission that route needs");
ABSL_FLAG(int, rounds, 50, "grant/revoke cycles");
ABSL_FLAG(absl::Duration, max_wait, absl::Seconds(10),
          "longest a round waits for the route to allow after a grant or refuse after a revoke");
ABSL_FLAG(std::string, label, "", "first cell of the table row");
ABSL_FLAG(bool, header, false, "print the table header before the row");

namespace backoffice::bench {
namespace {

using Clock = std::chrono::steady_clock;

void Note(const std::string& text) { std::fprintf(stderr, "revoke_latency: %s\n", text.c_str()); }

absl::Duration Since(Clock::time_point start) { return absl::FromChrono(Clock::now() - start); }

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return context;
}

std::string RandomHex(int bytes) {
  std::random_device device;
  std::string hex;
  for (int i = 0; i < bytes; ++i) {
    absl::StrAppend(&hex, absl::Hex(device() & 0xff, absl::kZeroPad2));
  }
  return hex;
}

// What the rounds use: the stubs, the admin's token, the user and the role.
struct Fixture {
  std::unique_ptr<roles::v1::RolesService::Stub> roles;
  std::string admin_token;
  std::string user_id;
  std::string email;
  std::string password;
  std::string role_id;
};

absl::StatusOr<Fixture> Prepare() {
  absl::StatusOr<std::string> admin_password =
      config::ReadSecretFile(absl::GetFlag(FLAGS_password_file));
  if (!admin_password.ok()) return admin_password.status();
  ScenarioEnv users_env;
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> users_channels =
      MakeChannels(absl::GetFlag(FLAGS_users_target), 1, absl::Seconds(10));
  if (!users_channels.ok()) return users_channels.status();
  users_env.channels = *users_channels;
  Fixture fixture;
  absl::StatusOr<std::string> token = Login(users_env, absl::GetFlag(FLAGS_email), *admin_password);
  if (!token.ok()) return token.status();
  fixture.admin_token = *token;

  const std::string suffix = RandomHex(6);
  fixture.email = absl::StrCat("revoke-bench-", suffix, "@example.com");
  fixture.password = absl::StrCat("Rv-", RandomHex(12));
  users::v1::CreateUserRequest create_user;
  create_user.mutable_user()->set_email(fixture.email);
  create_user.mutable_user()->set_display_name("Revoke benchmark");
  create_user.set_password(fixture.password);
  users::v1::User user;
  std::unique_ptr<users::v1::UsersService::Stub> users =
      users::v1::UsersService::NewStub(users_env.channels[0]);
  if (grpc::Status s = users->CreateUser(Context(fixture.admin_token).get(), create_user, &user);
      !s.ok()) {
    return FromGrpc(s);
  }
  fixture.user_id = user.id();

  fixture.roles = roles::v1::RolesService::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_roles_target), grpc::InsecureChannelCredentials()));
  roles::v1::CreateRoleRequest create_role;
  create_role.mutable_role()->set_name(absl::StrCat("revoke-bench-", suffix));
  create_role.mutable_role()->set_display_name("Revoke benchmark");
  create_role.mutable_role()->add_permissions(absl::GetFlag(FLAGS_permission));
  roles::v1::Role role;
  if (grpc::Status s =
          fixture.roles->CreateRole(Context(fixture.admin_token).get(), create_role, &role);
      !s.ok()) {
    return FromGrpc(s);
  }
  fixture.role_id = role.id();
  Note(absl::StrCat("user ", fixture.user_id, " (", fixture.email, "), role ", role.name(), " (",
                    fixture.role_id, ") carrying ", absl::GetFlag(FLAGS_permission)));
  return fixture;
}

// POST /api/auth/token as the user; the access token.
absl::StatusOr<std::string> BffLogin(HttpClient& bff, const Fixture& fixture) {
  boost::json::object body{{"email", fixture.email}, {"password", fixture.password}};
  absl::StatusOr<HttpResponse> response =
      bff.PostJson("/api/auth/token", boost::json::serialize(body));
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::InternalError(
        absl::StrCat("POST /api/auth/token: ", response->status, " ", response->body));
  }
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(response->body, error);
  const boost::json::value* token =
      error || !parsed.is_object() ? nullptr : parsed.as_object().if_contains("accessToken");
  if (token == nullptr || !token->is_string()) {
    return absl::InternalError("POST /api/auth/token: no accessToken");
  }
  return std::string(token->as_string());
}

// Polls GET path until it answers `until` (200 or 403); counts the answers of the other of the
// two. Any other status, a transport error or --max_wait is a failure.
struct PollResult {
  absl::Duration elapsed;
  int64_t others = 0;
  int64_t requests = 0;
  absl::Duration request_time;
};

absl::StatusOr<PollResult> PollUntil(HttpClient& bff, const std::string& path,
                                     const std::string& token, int until, Clock::time_point from,
                                     std::string* last_body) {
  const int other = until == 200 ? 403 : 200;
  const absl::Duration max_wait = absl::GetFlag(FLAGS_max_wait);
  PollResult result;
  while (true) {
    const Clock::time_point sent = Clock::now();
    absl::StatusOr<HttpResponse> response = bff.Get(path, token);
    result.request_time += Since(sent);
    ++result.requests;
    if (!response.ok()) return response.status();
    if (response->status == until) {
      result.elapsed = Since(from);
      if (last_body != nullptr) *last_body = response->body;
      return result;
    }
    if (response->status != other) {
      return absl::InternalError(
          absl::StrCat("GET ", path, ": ", response->status, " ", response->body));
    }
    ++result.others;
    if (Since(from) > max_wait) {
      return absl::DeadlineExceededError(
          absl::StrCat("GET ", path, " still ", other, " after ", absl::FormatDuration(max_wait)));
    }
  }
}

// The BFF's own refusal names "the permission" (bff/app/permissions.cc); the users service's
// PERMISSION_DENIED, passed through, says "this call needs permission".
bool RefusedByBff(const std::string& body) {
  return body.find("this needs the permission") != std::string::npos;
}

absl::StatusOr<RevokeRound> Round(HttpClient& bff, const Fixture& fixture, const std::string& path,
                                  std::string* refusal) {
  absl::StatusOr<std::string> token = BffLogin(bff, fixture);
  if (!token.ok()) return token.status();

  roles::v1::GrantRoleRequest grant;
  grant.set_user_id(fixture.user_id);
  grant.set_role_id(fixture.role_id);
  grant.set_reason("revoke benchmark");
  roles::v1::RoleGrant granted;
  if (grpc::Status s =
          fixture.roles->GrantRole(Context(fixture.admin_token).get(), grant, &granted);
      !s.ok()) {
    return FromGrpc(s);
  }
  const Clock::time_point grant_acked = Clock::now();
  absl::StatusOr<PollResult> allowed = PollUntil(bff, path, *token, 200, grant_acked, nullptr);
  if (!allowed.ok()) return allowed.status();

  roles::v1::RevokeRoleRequest revoke;
  revoke.set_user_id(fixture.user_id);
  revoke.set_role_id(fixture.role_id);
  revoke.set_reason("revoke benchmark");
  google::protobuf::Empty empty;
  if (grpc::Status s =
          fixture.roles->RevokeRole(Context(fixture.admin_token).get(), revoke, &empty);
      !s.ok()) {
    return FromGrpc(s);
  }
  const Clock::time_point revoke_acked = Clock::now();
  std::string refusal_body;
  absl::StatusOr<PollResult> refused =
      PollUntil(bff, path, *token, 403, revoke_acked, &refusal_body);
  if (!refused.ok()) return refused.status();
  if (refusal != nullptr) *refusal = refusal_body;
  return RevokeRound{.grant_to_allowed = allowed->elapsed,
                     .refused_after_grant = allowed->others,
                     .revoke_to_refused = refused->elapsed,
                     .allowed_after_revoke = refused->others,
                     .refused_by_bff = RefusedByBff(refusal_body),
                     .poll_requests = refused->requests,
                     .poll_time = refused->request_time};
}

int Run() {
  const std::string path = absl::GetFlag(FLAGS_path);
  std::vector<std::string> host_port = absl::StrSplit(absl::GetFlag(FLAGS_bff), ':');
  int port = 0;
  if (path.empty() || host_port.size() != 2 || !absl::SimpleAtoi(host_port[1], &port) ||
      absl::GetFlag(FLAGS_rounds) < 1) {
    Note("--path, --bff=host:port and --rounds >= 1 are required");
    return 2;
  }
  absl::StatusOr<Fixture> fixture = Prepare();
  if (!fixture.ok()) {
    Note(absl::StrCat("setup failed: ", fixture.status().ToString()));
    return 1;
  }
  const std::string polled = absl::StrReplaceAll(path, {{"{self}", fixture->user_id}});
  HttpClient bff(host_port[0], port, absl::Seconds(10));
  std::vector<RevokeRound> rounds;
  int64_t failed = 0;
  std::string refusal;
  for (int i = 0; i < absl::GetFlag(FLAGS_rounds); ++i) {
    absl::StatusOr<RevokeRound> round = Round(bff, *fixture, polled, i == 0 ? &refusal : nullptr);
    if (!round.ok()) {
      ++failed;
      Note(absl::StrCat("round ", i + 1, " failed: ", round.status().ToString()));
      if (round.status().code() == absl::StatusCode::kUnavailable) break;
      continue;
    }
    rounds.push_back(*round);
  }
  if (!refusal.empty()) {
    Note(absl::StrCat("first refusal: ", refusal.substr(0, 300)));
  }
  if (absl::GetFlag(FLAGS_header)) {
    std::fputs(RevokeTableHeader().c_str(), stdout);
  }
  std::fputs(RevokeTableRow(absl::GetFlag(FLAGS_label), rounds, failed).c_str(), stdout);
  return failed == 0 ? 0 : 3;
}

}  // namespace
}  // namespace backoffice::bench

int main(int argc, char** argv) {
  backoffice::config::ParseCommandLine(
      argc, argv,
      "Revoke-to-refusal delay through the BFF (see bench/README.md; bench/bff/run.sh runs it).");
  return backoffice::bench::Run();
}
