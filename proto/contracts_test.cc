// Proves the v1 contracts are usable from C++: each service is in the generated descriptor pool
// with the expected methods and streaming kinds, every enum starts with *_UNSPECIFIED = 0, and a
// populated request of each service survives a serialize/parse round trip.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "proto/audit/v1/audit.grpc.pb.h"
#include "proto/integrations/v1/integrations.grpc.pb.h"
#include "proto/notifications/v1/notifications.grpc.pb.h"
#include "proto/roles/v1/roles.grpc.pb.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

enum class Kind { kUnary, kClientStream, kServerStream };

struct Rpc {
  std::string name;
  Kind kind = Kind::kUnary;
};

// Asserts the service exists and has exactly these methods with these streaming kinds, and that
// each method's input type is `<Method>Request` in the service's package.
const ServiceDescriptor& ExpectService(const std::string& full_name, const std::vector<Rpc>& rpcs) {
  const ServiceDescriptor* service = DescriptorPool::generated_pool()->FindServiceByName(full_name);
  REQUIRE(service != nullptr);
  CHECK(service->method_count() == static_cast<int>(rpcs.size()));
  for (const Rpc& rpc : rpcs) {
    INFO(full_name << "." << rpc.name);
    const MethodDescriptor* method = service->FindMethodByName(rpc.name);
    REQUIRE(method != nullptr);
    CHECK(method->client_streaming() == (rpc.kind == Kind::kClientStream));
    CHECK(method->server_streaming() == (rpc.kind == Kind::kServerStream));
    CHECK(method->input_type()->full_name() ==
          service->file()->package() + "." + rpc.name + "Request");
  }
  return *service;
}

// Every enum (top-level and nested) of the file starts with a zero value named *_UNSPECIFIED.
void ExpectUnspecifiedZero(const google::protobuf::EnumDescriptor& e) {
  INFO(e.full_name());
  REQUIRE(e.value_count() > 0);
  CHECK(e.value(0)->number() == 0);
  CHECK(e.value(0)->name().ends_with("_UNSPECIFIED"));
}

void ExpectUnspecifiedZero(const google::protobuf::Descriptor& m) {
  for (int i = 0; i < m.enum_type_count(); ++i) ExpectUnspecifiedZero(*m.enum_type(i));
  for (int i = 0; i < m.nested_type_count(); ++i) ExpectUnspecifiedZero(*m.nested_type(i));
}

void ExpectEnumsConventional(const ServiceDescriptor& service) {
  // The service's own file and every project file it imports, transitively.
  std::vector<const google::protobuf::FileDescriptor*> todo = {service.file()};
  std::set<std::string> seen;
  while (!todo.empty()) {
    const google::protobuf::FileDescriptor* file = todo.back();
    todo.pop_back();
    if (file->name().rfind("proto/", 0) != 0 || !seen.insert(file->name()).second) continue;
    for (int i = 0; i < file->enum_type_count(); ++i) ExpectUnspecifiedZero(*file->enum_type(i));
    for (int i = 0; i < file->message_type_count(); ++i) {
      ExpectUnspecifiedZero(*file->message_type(i));
    }
    for (int i = 0; i < file->dependency_count(); ++i) todo.push_back(file->dependency(i));
  }
  CHECK(seen.size() >= 2);  // at least the service file and a common/v1 file
}

// Serializes `original`, parses it into a fresh message of the same type and compares.
template <typename T>
void ExpectRoundTrip(const T& original) {
  std::string wire;
  REQUIRE(original.SerializeToString(&wire));
  REQUIRE(!wire.empty());
  T parsed;
  REQUIRE(parsed.ParseFromString(wire));
  CHECK(google::protobuf::util::MessageDifferencer::Equals(original, parsed));
}

}  // namespace

TEST_CASE("UsersService contract") {
  namespace v1 = backoffice::users::v1;
  CHECK(std::string(v1::UsersService::service_full_name()) == "backoffice.users.v1.UsersService");
  const ServiceDescriptor& service = ExpectService("backoffice.users.v1.UsersService",
                                                   {{"CreateUser"},
                                                    {"GetUser"},
                                                    {"BatchGetUsers"},
                                                    {"UpdateUser"},
                                                    {"DeleteUser"},
                                                    {"RestoreUser"},
                                                    {"DisableUser"},
                                                    {"EnableUser"},
                                                    {"ListUsers"},
                                                    {"SetPassword"},
                                                    {"ChangePassword"},
                                                    {"ResetPassword"},
                                                    {"Login"},
                                                    {"CompleteLogin"},
                                                    {"Refresh"},
                                                    {"Logout"},
                                                    {"ListSessions"},
                                                    {"RevokeSession"},
                                                    {"RevokeAllSessions"},
                                                    {"EnrollTotp"},
                                                    {"VerifyTotp"},
                                                    {"DisableTotp"},
                                                    {"RegenerateRecoveryCodes"},
                                                    {"GetJwks"},
                                                    {"ListSigningKeys"},
                                                    {"RotateSigningKey"},
                                                    {"ImportUsers", Kind::kClientStream},
                                                    {"ExportUsers", Kind::kServerStream},
                                                    {"GetLockout"},
                                                    {"Unlock"},
                                                    {"WatchUserChanges", Kind::kServerStream}});
  ExpectEnumsConventional(service);

  v1::ListUsersRequest list;
  list.mutable_page()->set_page_size(500);
  list.mutable_page()->set_page_token("opaque");
  list.mutable_page()->set_total_count_mode(backoffice::common::v1::TOTAL_COUNT_MODE_ESTIMATE);
  list.set_query("ann");
  list.add_statuses(v1::USER_STATUS_DISABLED);
  list.mutable_create_time()->mutable_start_time()->set_seconds(1'700'000'000);
  list.add_ids("0190c0de-0000-7000-8000-000000000001");
  backoffice::common::v1::SortOrder* order = list.add_order_by();
  order->set_field("email");
  order->set_direction(backoffice::common::v1::SORT_DIRECTION_DESC);
  ExpectRoundTrip(list);

  v1::UpdateUserRequest update;
  update.mutable_user()->set_id("0190c0de-0000-7000-8000-000000000001");
  update.mutable_user()->set_display_name("Ann");
  update.mutable_user()->set_etag("W/\"3\"");
  (*update.mutable_user()->mutable_attributes()->mutable_fields())["team"].set_string_value("ops");
  update.mutable_update_mask()->add_paths("display_name");
  ExpectRoundTrip(update);

  v1::ImportUsersRequest import_chunk;
  import_chunk.set_csv_chunk("email,display_name\r\na@example.com,A\r\n");
  ExpectRoundTrip(import_chunk);

  v1::LoginResponse login;
  login.mutable_challenge()->set_challenge_token("tok");
  login.mutable_challenge()->add_methods(v1::SECOND_FACTOR_METHOD_TOTP);
  ExpectRoundTrip(login);
}

TEST_CASE("RolesService contract") {
  namespace v1 = backoffice::roles::v1;
  const ServiceDescriptor& service = ExpectService(
      "backoffice.roles.v1.RolesService", {{"ListPermissions"},
                                           {"RegisterPermissions"},
                                           {"CreateRole"},
                                           {"GetRole"},
                                           {"ListRoles"},
                                           {"UpdateRole"},
                                           {"DeleteRole"},
                                           {"GrantRole"},
                                           {"RevokeRole"},
                                           {"ListUserRoles"},
                                           {"GetEffectivePermissions"},
                                           {"CheckPermission"},
                                           {"BatchCheckPermissions"},
                                           {"ListRoleMembers"},
                                           {"WatchPermissionChanges", Kind::kServerStream}});
  ExpectEnumsConventional(service);

  v1::CreateRoleRequest create;
  create.mutable_role()->set_name("support-agent");
  create.mutable_role()->add_permissions("users:read");
  create.mutable_role()->add_parent_role_ids("0190c0de-0000-7000-8000-000000000002");
  create.set_request_id("req-1");
  ExpectRoundTrip(create);

  v1::BatchCheckPermissionsRequest batch;
  v1::CheckPermissionRequest* check = batch.add_checks();
  check->set_user_id("0190c0de-0000-7000-8000-000000000001");
  check->set_permission("audit.events.read");
  ExpectRoundTrip(batch);
}

TEST_CASE("AuditService contract") {
  namespace v1 = backoffice::audit::v1;
  const ServiceDescriptor& service =
      ExpectService("backoffice.audit.v1.AuditService", {{"AppendEvents"},
                                                         {"GetEvent"},
                                                         {"QueryEvents"},
                                                         {"ExportEvents", Kind::kServerStream},
                                                         {"VerifyChain"},
                                                         {"GetCheckpoint"}});
  ExpectEnumsConventional(service);

  v1::AppendEventsRequest append;
  v1::AuditEvent* event = append.add_events();
  event->set_id("0190c0de-0000-7000-8000-0000000000aa");
  event->mutable_event_time()->set_seconds(1'700'000'000);
  event->mutable_actor()->set_type(backoffice::common::v1::ACTOR_TYPE_USER);
  event->mutable_actor()->set_id("0190c0de-0000-7000-8000-000000000001");
  event->set_action("users.user.update");
  event->set_resource_type("users.User");
  event->set_service("users");
  event->set_outcome(v1::OUTCOME_SUCCESS);
  (*event->mutable_after()->mutable_fields())["display_name"].set_string_value("Ann");
  ExpectRoundTrip(append);

  v1::QueryEventsRequest query;
  query.mutable_filter()->add_actions("users.*");
  query.mutable_filter()->mutable_event_time()->mutable_end_time()->set_seconds(1'800'000'000);
  query.set_time_order(backoffice::common::v1::SORT_DIRECTION_ASC);
  ExpectRoundTrip(query);

  v1::VerifyChainResponse verified;
  verified.set_intact(true);
  verified.set_start_sequence(6);
  verified.mutable_retention_boundary()->set_first_retained_sequence(6);
  verified.mutable_retention_boundary()->set_first_retained_prev_hash(std::string(64, 'a'));
  verified.mutable_retention_boundary()->add_dropped_partitions("events_p202601");
  verified.mutable_retention_boundary()->set_retention_event_sequence(8);
  ExpectRoundTrip(verified);
}

TEST_CASE("NotificationsService contract") {
  namespace v1 = backoffice::notifications::v1;
  const ServiceDescriptor& service =
      ExpectService("backoffice.notifications.v1.NotificationsService",
                    {{"SendNotification"},
                     {"GetNotification"},
                     {"ListNotifications"},
                     {"MarkRead"},
                     {"MarkUnread"},
                     {"GetUnreadCount"},
                     {"GetPreferences"},
                     {"UpdatePreferences"},
                     {"CreateTemplate"},
                     {"GetTemplate"},
                     {"ListTemplates"},
                     {"UpdateTemplate"},
                     {"DeleteTemplate"},
                     {"RenderTemplate"},
                     {"StreamNotifications", Kind::kServerStream}});
  ExpectEnumsConventional(service);

  v1::SendNotificationRequest send;
  send.mutable_recipients()->add_role_ids("0190c0de-0000-7000-8000-000000000002");
  send.mutable_content()->mutable_from_template()->set_template_name("user.password_reset");
  (*send.mutable_content()->mutable_from_template()->mutable_variables()->mutable_fields())["name"]
      .set_string_value("Ann");
  send.add_channels(v1::CHANNEL_EMAIL);
  send.set_severity(v1::SEVERITY_WARNING);
  ExpectRoundTrip(send);

  v1::MarkReadRequest mark;
  mark.mutable_all()->mutable_up_to_time()->set_seconds(1'700'000'000);
  ExpectRoundTrip(mark);
}

TEST_CASE("IntegrationsService contract") {
  namespace v1 = backoffice::integrations::v1;
  const ServiceDescriptor& service =
      ExpectService("backoffice.integrations.v1.IntegrationsService", {{"CreateWebhookEndpoint"},
                                                                       {"GetWebhookEndpoint"},
                                                                       {"ListWebhookEndpoints"},
                                                                       {"UpdateWebhookEndpoint"},
                                                                       {"DeleteWebhookEndpoint"},
                                                                       {"RotateWebhookSecret"},
                                                                       {"TestWebhookEndpoint"},
                                                                       {"PublishEvents"},
                                                                       {"GetEmailSettings"},
                                                                       {"UpdateEmailSettings"},
                                                                       {"GetSmsSettings"},
                                                                       {"UpdateSmsSettings"},
                                                                       {"SendEmail"},
                                                                       {"SendSms"},
                                                                       {"ListDeliveries"},
                                                                       {"GetDelivery"},
                                                                       {"RetryDelivery"},
                                                                       {"ReplayDelivery"},
                                                                       {"CancelDelivery"}});
  ExpectEnumsConventional(service);

  v1::CreateWebhookEndpointRequest create;
  create.mutable_endpoint()->set_display_name("CRM");
  create.mutable_endpoint()->set_url("https://crm.example.com/hooks");
  create.mutable_endpoint()->add_event_types("users.*");
  (*create.mutable_endpoint()->mutable_headers())["X-Tenant"] = "acme";
  ExpectRoundTrip(create);

  v1::ListDeliveriesRequest list;
  list.set_channel(v1::DELIVERY_CHANNEL_WEBHOOK);
  list.add_statuses(v1::DELIVERY_STATUS_DEAD);
  list.set_view(v1::DELIVERY_VIEW_FULL);
  ExpectRoundTrip(list);

  // A populated message must not equal an empty one: the comparison above can fail.
  CHECK_FALSE(
      google::protobuf::util::MessageDifferencer::Equals(list, v1::ListDeliveriesRequest()));
}
