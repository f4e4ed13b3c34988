// ImportUsers and ExportUsers on the real binary over real gRPC: good and bad rows, repeating an
// import, the stream's limits, and the exported CSV's content.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/users/it/users_binary.h"

namespace backoffice::users::it {
namespace {

// Sends options, then `csv` split into chunks of `chunk_bytes` (splitting rows anywhere).
grpc::Status Import(UsersBinary& users, const v1::ImportUsersOptions& options,
                    const std::string& csv, v1::ImportUsersResponse* response,
                    size_t chunk_bytes = 7) {
  grpc::ClientContext context;
  users.Authorize(context);
  std::unique_ptr<grpc::ClientWriter<v1::ImportUsersRequest>> writer =
      users.stub().ImportUsers(&context, response);
  v1::ImportUsersRequest first;
  *first.mutable_options() = options;
  writer->Write(first);
  for (size_t i = 0; i < csv.size(); i += chunk_bytes) {
    v1::ImportUsersRequest chunk;
    chunk.set_csv_chunk(csv.substr(i, chunk_bytes));
    if (!writer->Write(chunk)) {
      break;
    }
  }
  writer->WritesDone();
  return writer->Finish();
}

std::string Export(UsersBinary& users, const v1::ExportUsersRequest& request, grpc::Status* status,
                   int64_t* rows = nullptr) {
  grpc::ClientContext context;
  users.Authorize(context);
  std::unique_ptr<grpc::ClientReader<v1::ExportUsersResponse>> reader =
      users.stub().ExportUsers(&context, request);
  std::string csv;
  v1::ExportUsersResponse chunk;
  while (reader->Read(&chunk)) {
    CHECK(chunk.csv_chunk().size() <= 64 * 1024);
    CHECK(absl::EndsWith(chunk.csv_chunk(), "\r\n"));
    csv += chunk.csv_chunk();
    if (rows != nullptr) {
      *rows = chunk.rows_written();
    }
  }
  *status = reader->Finish();
  return csv;
}

const char kCsv[] =
    "\xEF\xBB\xBF"
    "email,display_name,status,email_verified,phone_number,attributes\r\n"
    "ann@import.example.com,Ann,active,true,+41791234567,\"{\"\"team\"\":\"\"ops\"\"}\"\r\n"
    "bob@import.example.com,\"Bob, Jr.\",disabled,false,,\n"
    "not-an-email,Nobody,,,,\r\n"
    "ANN@import.example.com,Ann again,,,,\r\n"
    "cy@import.example.com,Cy,sleeping,,,\r\n"
    "di@import.example.com,Di,,,123,\r\n"
    "ed@import.example.com,\"=HYPERLINK(\"\"x\"\")\",,,,\r\n"
    "broken@import.example.com,a\"b,,,,\r\n"
    "short@import.example.com\r\n";

TEST_CASE("ImportUsers keeps valid rows, reports each bad row, and is idempotent when repeated") {
  UsersBinary users;
  v1::ImportUsersOptions options;
  options.set_request_id("import-1");
  v1::ImportUsersResponse response;
  grpc::Status status = Import(users, options, kCsv, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(response.total_rows() == 9);
  CHECK(response.created_count() == 3);
  CHECK(response.failed_count() == 6);
  REQUIRE(response.rows_size() == 9);
  CHECK(response.rows(0).outcome() == v1::IMPORT_ROW_OUTCOME_CREATED);
  CHECK(response.rows(0).row() == 1);
  CHECK_FALSE(response.rows(0).user_id().empty());
  CHECK(response.rows(1).outcome() == v1::IMPORT_ROW_OUTCOME_CREATED);
  CHECK(response.rows(2).error().rfind("email: ", 0) == 0);
  CHECK(response.rows(3).error() == "email: duplicate of row 1");
  CHECK(response.rows(4).error() == "status: must be active or disabled");
  CHECK(response.rows(5).error().rfind("phone_number: ", 0) == 0);
  CHECK(response.rows(6).outcome() == v1::IMPORT_ROW_OUTCOME_CREATED);
  CHECK(response.rows(7).error() == "row: malformed CSV (quote inside an unquoted field)");
  CHECK(response.rows(8).error() == "row: has 1 fields; the header has 6");
  for (int i : {2, 3, 4, 5, 7, 8}) {
    CHECK(response.rows(i).outcome() == v1::IMPORT_ROW_OUTCOME_FAILED);
    CHECK(response.rows(i).user_id().empty());
  }

  grpc::ClientContext context;
  users.Authorize(context);
  v1::GetUserRequest get;
  get.set_id(response.rows(1).user_id());
  v1::User bob;
  REQUIRE(users.stub().GetUser(&context, get, &bob).ok());
  CHECK(bob.display_name() == "Bob, Jr.");
  CHECK(bob.status() == v1::USER_STATUS_DISABLED);

  // The same import again: the same accounts, nothing new written.
  v1::ImportUsersResponse again;
  REQUIRE(Import(users, options, kCsv, &again, 1000).ok());
  CHECK(again.created_count() == 3);
  CHECK(again.failed_count() == 6);
  CHECK(again.rows(0).user_id() == response.rows(0).user_id());
  CHECK(again.rows(1).user_id() == response.rows(1).user_id());

  // Without a request id, existing emails are skipped.
  v1::ImportUsersResponse plain;
  REQUIRE(Import(users, v1::ImportUsersOptions(), kCsv, &plain).ok());
  CHECK(plain.created_count() == 0);
  CHECK(plain.skipped_count() == 3);

  // UPSERT updates the non-empty cells; a dry run writes nothing.
  v1::ImportUsersOptions upsert;
  upsert.set_mode(v1::IMPORT_MODE_UPSERT);
  upsert.set_dry_run(true);
  v1::ImportUsersResponse dry;
  REQUIRE(
      Import(users, upsert,
             "email,display_name\nann@import.example.com,Ann Renamed\nnew@import.example.com,\n",
             &dry)
          .ok());
  CHECK(dry.dry_run());
  CHECK(dry.rows(0).outcome() == v1::IMPORT_ROW_OUTCOME_UPDATED);
  CHECK(dry.rows(1).outcome() == v1::IMPORT_ROW_OUTCOME_CREATED);
  upsert.set_dry_run(false);
  v1::ImportUsersResponse upserted;
  REQUIRE(
      Import(users, upsert, "email,display_name\nann@import.example.com,Ann Renamed\n", &upserted)
          .ok());
  CHECK(upserted.rows(0).outcome() == v1::IMPORT_ROW_OUTCOME_UPDATED);
  CHECK(upserted.updated_count() == 1);
  v1::ImportUsersResponse unchanged;
  REQUIRE(
      Import(users, upsert, "email,display_name\nann@import.example.com,Ann Renamed\n", &unchanged)
          .ok());
  CHECK(unchanged.rows(0).outcome() == v1::IMPORT_ROW_OUTCOME_SKIPPED);
}

TEST_CASE("ImportUsers refuses a bad stream or header as a whole") {
  UsersBinary users;
  v1::ImportUsersResponse response;
  grpc::Status unknown = Import(users, {}, "email,password\na@x.example.com,secret\n", &response);
  CHECK(unknown.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ViolatedFields(unknown) == std::vector<std::string>{"csv_chunk"});
  CHECK(Import(users, {}, "email,email\n", &response).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(Import(users, {}, "display_name\nAnn\n", &response).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  std::string too_many = "email\n";
  for (int i = 0; i <= 10'000; ++i) {
    absl::StrAppend(&too_many, "u", i, "@many.example.com\n");
  }
  CHECK(Import(users, {}, too_many, &response, 512 * 1024).error_code() ==
        grpc::StatusCode::RESOURCE_EXHAUSTED);

  // No options first.
  grpc::ClientContext context;
  users.Authorize(context);
  auto writer = users.stub().ImportUsers(&context, &response);
  v1::ImportUsersRequest chunk;
  chunk.set_csv_chunk("email\n");
  writer->Write(chunk);
  writer->WritesDone();
  grpc::Status no_options = writer->Finish();
  CHECK(no_options.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ViolatedFields(no_options) == std::vector<std::string>{"options"});

  // Nothing was written by any of these.
  v1::ListUsersResponse list;
  grpc::ClientContext list_context;
  users.Authorize(list_context);
  REQUIRE(users.stub().ListUsers(&list_context, v1::ListUsersRequest(), &list).ok());
  CHECK(list.users_size() == 1);  // the bootstrap admin
}

TEST_CASE("ExportUsers streams the filter as RFC 4180 CSV with formulas neutralized") {
  UsersBinary users;
  v1::ImportUsersResponse imported;
  REQUIRE(Import(users, {},
                 "email,display_name,attributes\n"
                 "a@export.example.com,\"=1+2\",\"{\"\"k\"\":\"\"v, w\"\"}\"\n"
                 "b@export.example.com,Bee,\n"
                 "c@other.example.com,See,\n",
                 &imported)
              .ok());
  REQUIRE(imported.created_count() == 3);

  v1::ExportUsersRequest request;
  request.set_query("export.example.com");
  request.add_columns("email");
  request.add_columns("display_name");
  request.add_columns("attributes");
  request.add_columns("status");
  grpc::Status status;
  int64_t rows = 0;
  std::string csv = Export(users, request, &status, &rows);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(rows == 2);
  CHECK(csv ==
        "email,display_name,attributes,status\r\n"
        "a@export.example.com,'=1+2,\"{\"\"k\"\": \"\"v, w\"\"}\",active\r\n"
        "b@export.example.com,Bee,{},active\r\n");

  // Default columns: all of them, re-importable.
  v1::ExportUsersRequest all;
  all.set_query("example.com");
  std::string full = Export(users, all, &status);
  REQUIRE(status.ok());
  std::vector<std::string> lines = absl::StrSplit(full, "\r\n", absl::SkipEmpty());
  REQUIRE(lines.size() == 5);  // header, 3 imported, the bootstrap admin
  CHECK(lines[0] ==
        "id,email,display_name,status,email_verified,phone_number,locale,time_zone,attributes,"
        "create_time,update_time,last_login_time");
  v1::ImportUsersResponse reimported;
  REQUIRE(Import(users, {}, full, &reimported, 4096).ok());
  CHECK(reimported.skipped_count() == 4);
  CHECK(reimported.failed_count() == 0);

  v1::ExportUsersRequest bad;
  bad.add_columns("email");
  bad.add_columns("password_hash");
  Export(users, bad, &status);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ViolatedFields(status) == std::vector<std::string>{"columns[1]"});
}

}  // namespace
}  // namespace backoffice::users::it
