// The proto <-> domain mapping of the users service: every field both ways, etags, field masks,
// timestamps and the list request's validation.
#include "services/users/user_mapping.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"

namespace backoffice::users {
namespace {

bool StartsWithField(const absl::Status& status, const std::string& field) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(status.message(), field + ": ");
}

TEST_CASE("UserToProto maps every field, the etag and only the times that are set") {
  User user{.id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab",
            .email = "ann@example.com",
            .display_name = "Ann",
            .status = UserStatus::kDisabled,
            .email_verified = true,
            .phone_number = "+41791234567",
            .locale = "de-CH",
            .time_zone = "Europe/Zurich",
            .attributes = R"({"level":3,"team":"ops"})",
            .password_set = true,
            .password_change_required = true,
            .totp_enabled = true,
            .recovery_codes_remaining = 7,
            .disabled_reason = "left",
            .version = 4,
            .create_time = absl::FromUnixMicros(1'700'000'000'123'456),
            .update_time = absl::FromUnixSeconds(1'700'000'100)};
  v1::User proto;
  UserToProto(user, &proto);
  CHECK(proto.id() == user.id);
  CHECK(proto.email() == "ann@example.com");
  CHECK(proto.display_name() == "Ann");
  CHECK(proto.status() == v1::USER_STATUS_DISABLED);
  CHECK(proto.email_verified());
  CHECK(proto.phone_number() == "+41791234567");
  CHECK(proto.locale() == "de-CH");
  CHECK(proto.time_zone() == "Europe/Zurich");
  CHECK(proto.attributes().fields().at("team").string_value() == "ops");
  CHECK(proto.attributes().fields().at("level").number_value() == 3);
  CHECK(proto.password_set());
  CHECK(proto.password_change_required());
  CHECK(proto.totp_enabled());
  CHECK(proto.recovery_codes_remaining() == 7);
  CHECK(proto.disabled_reason() == "left");
  CHECK(proto.etag() == EtagForVersion(4));
  CHECK(proto.create_time().seconds() == 1'700'000'000);
  CHECK(proto.create_time().nanos() == 123'456'000);
  CHECK(proto.update_time().seconds() == 1'700'000'100);
  CHECK_FALSE(proto.has_delete_time());
  CHECK_FALSE(proto.has_purge_time());
  CHECK_FALSE(proto.has_last_login_time());
  CHECK_FALSE(proto.has_password_change_time());

  user.delete_time = absl::FromUnixSeconds(1);
  user.purge_time = absl::FromUnixSeconds(2);
  user.last_login_time = absl::FromUnixSeconds(3);
  user.password_change_time = absl::FromUnixSeconds(4);
  user.attributes = "{}";
  v1::User again;
  UserToProto(user, &again);
  CHECK(again.delete_time().seconds() == 1);
  CHECK(again.purge_time().seconds() == 2);
  CHECK(again.last_login_time().seconds() == 3);
  CHECK(again.password_change_time().seconds() == 4);
  CHECK_FALSE(again.has_attributes());
}

TEST_CASE("FieldsFromProto reads the settable fields and attributes as a JSON object") {
  v1::User proto;
  proto.set_id("ignored");
  proto.set_email("bob@example.com");
  proto.set_display_name("Bob");
  proto.set_email_verified(true);
  proto.set_locale("en");
  (*proto.mutable_attributes()->mutable_fields())["k"].set_string_value("v");
  UserFields fields = FieldsFromProto(proto);
  CHECK(fields.email == "bob@example.com");
  CHECK(fields.display_name == "Bob");
  CHECK(fields.email_verified);
  CHECK(fields.locale == "en");
  CHECK(fields.attributes == R"({"k":"v"})");
  proto.clear_attributes();
  CHECK(FieldsFromProto(proto).attributes.empty());
}

TEST_CASE("UpdateFromProto needs user, user.id and a mask, and reads the etag") {
  v1::UpdateUserRequest request;
  CHECK(StartsWithField(UpdateFromProto(request).status(), "user"));
  request.mutable_user()->set_display_name("New");
  CHECK(StartsWithField(UpdateFromProto(request).status(), "user.id"));
  request.mutable_user()->set_id("some-id");
  CHECK(StartsWithField(UpdateFromProto(request).status(), "update_mask"));
  request.mutable_update_mask()->add_paths("display_name");
  absl::StatusOr<UserUpdate> update = UpdateFromProto(request);
  REQUIRE(update.ok());
  CHECK(update->id == "some-id");
  CHECK(update->update_mask == std::vector<std::string>{"display_name"});
  CHECK(update->fields.display_name == "New");
  CHECK_FALSE(update->expected_version.has_value());

  request.mutable_user()->set_etag(EtagForVersion(9));
  update = UpdateFromProto(request);
  REQUIRE(update.ok());
  CHECK(update->expected_version == 9);
  request.mutable_user()->set_etag("W/\"9\"");
  CHECK(StartsWithField(UpdateFromProto(request).status(), "user.etag"));
}

TEST_CASE("TimeFromProto refuses bad nanos and out-of-range seconds") {
  google::protobuf::Timestamp t;
  t.set_seconds(10);
  t.set_nanos(5);
  absl::StatusOr<absl::Time> time = TimeFromProto(t, "x");
  REQUIRE(time.ok());
  CHECK(*time == absl::FromUnixSeconds(10) + absl::Nanoseconds(5));
  t.set_nanos(-1);
  CHECK(StartsWithField(TimeFromProto(t, "x").status(), "x"));
  t.set_nanos(0);
  t.set_seconds(253402300800);
  CHECK(StartsWithField(TimeFromProto(t, "x").status(), "x"));
}

TEST_CASE("ListRequestFromProto maps paging, filters and sort") {
  v1::ListUsersRequest request;
  request.mutable_page()->set_page_size(20);
  request.mutable_page()->set_page_token("tok");
  request.mutable_page()->set_total_count_mode(common::v1::TOTAL_COUNT_MODE_EXACT);
  request.set_query("ann");
  request.add_statuses(v1::USER_STATUS_DELETED);
  request.mutable_create_time()->mutable_start_time()->set_seconds(100);
  request.mutable_create_time()->mutable_end_time()->set_seconds(200);
  request.add_ids("id1");
  common::v1::SortOrder* order = request.add_order_by();
  order->set_field("email");
  order->set_direction(common::v1::SORT_DIRECTION_DESC);
  absl::StatusOr<ListUsersRequest> list = ListRequestFromProto(request);
  REQUIRE(list.ok());
  CHECK(list->page_size == 20);
  CHECK(list->page_token == "tok");
  CHECK(list->total_count_mode == TotalCountMode::kExact);
  CHECK(list->query == "ann");
  CHECK(list->statuses == std::vector<UserStatus>{UserStatus::kDeleted});
  CHECK(list->create_time_start == absl::FromUnixSeconds(100));
  CHECK(list->create_time_end == absl::FromUnixSeconds(200));
  CHECK(list->ids == std::vector<std::string>{"id1"});
  REQUIRE(list->order_by.size() == 1);
  CHECK(list->order_by[0].field == "email");
  CHECK(list->order_by[0].direction == SortDirection::kDesc);

  SECTION("an UNSPECIFIED status names its index") {
    request.add_statuses(v1::USER_STATUS_UNSPECIFIED);
    CHECK(StartsWithField(ListRequestFromProto(request).status(), "statuses[1]"));
  }
  SECTION("a backwards time range names the end") {
    request.mutable_create_time()->mutable_end_time()->set_seconds(50);
    CHECK(StartsWithField(ListRequestFromProto(request).status(), "create_time.end_time"));
  }
  SECTION("an oversize token") {
    request.mutable_page()->set_page_token(std::string(1025, 'a'));
    CHECK(StartsWithField(ListRequestFromProto(request).status(), "page.page_token"));
  }
}

TEST_CASE("ExportFilterFromProto defaults to create_time ascending") {
  v1::ExportUsersRequest request;
  request.set_query("x");
  absl::StatusOr<ListUsersRequest> list = ExportFilterFromProto(request);
  REQUIRE(list.ok());
  CHECK(list->query == "x");
  REQUIRE(list->order_by.size() == 1);
  CHECK(list->order_by[0].field == "create_time");
  CHECK(list->order_by[0].direction == SortDirection::kAsc);
}

TEST_CASE("ListResponseToProto copies users, token and totals") {
  ListUsersPage page{.users = {User{.id = "a", .version = 1}, User{.id = "b", .version = 2}},
                     .next_page_token = "next",
                     .total_size = 12345,
                     .total_is_estimate = true};
  v1::ListUsersResponse response;
  ListResponseToProto(page, &response);
  REQUIRE(response.users_size() == 2);
  CHECK(response.users(1).id() == "b");
  CHECK(response.page_info().next_page_token() == "next");
  CHECK(response.page_info().total_size() == 12345);
  CHECK(response.page_info().total_is_estimate());
}

}  // namespace
}  // namespace backoffice::users
