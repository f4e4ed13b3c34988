// The CSV reader and writer of the bulk calls: RFC 4180 quoting both ways, line ends, BOM,
// malformed records, and formula neutralization with its inverse.
#include "services/users/csv.h"

#include <catch2/catch.hpp>

namespace backoffice::users {
namespace {

std::vector<std::vector<std::string>> Fields(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  for (const CsvRecord& record : ParseCsv(text)) {
    REQUIRE(record.error.empty());
    out.push_back(record.fields);
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST_CASE("ParseCsv reads plain and quoted fields with CRLF or LF line ends") {
  CHECK(Fields("a,b\r\nc,d\r\n") == Rows{{"a", "b"}, {"c", "d"}});
  CHECK(Fields("a,b\nc,d") == Rows{{"a", "b"}, {"c", "d"}});
  CHECK(Fields("\"x,y\",\"he said \"\"hi\"\"\",\"two\r\nlines\"\n") ==
        Rows{{"x,y", "he said \"hi\"", "two\r\nlines"}});
  CHECK(Fields("a,,\n") == Rows{{"a", "", ""}});
  CHECK(Fields("a,\"\"") == Rows{{"a", ""}});
}

TEST_CASE("ParseCsv skips a BOM and empty lines") {
  CHECK(Fields("\xEF\xBB\xBF"
               "email\n\nann@example.com\r\n\r\n") == Rows{{"email"}, {"ann@example.com"}});
  CHECK(Fields("").empty());
}

TEST_CASE("ParseCsv reports malformed records and resumes at the next line") {
  std::vector<CsvRecord> records = ParseCsv("a,b\"c,d\n\"x\"y,z\nok,1\n\"open,2\nmore");
  REQUIRE(records.size() == 4);
  CHECK(records[0].error == "quote inside an unquoted field");
  CHECK(records[1].error == "text after a closing quote");
  CHECK(records[2].error.empty());
  CHECK(records[2].fields == std::vector<std::string>{"ok", "1"});
  CHECK(records[3].error == "unterminated quoted field");
}

TEST_CASE("AppendCsvRecord quotes what needs it and neutralizes formulas") {
  std::string out;
  AppendCsvRecord({"plain", "a,b", "say \"hi\"", "line\nbreak", ""}, out);
  CHECK(out == "plain,\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\",\r\n");
  out.clear();
  AppendCsvRecord({"=1+2", "+41791234567", "-x", "@SUM(A1)", "a=b"}, out);
  CHECK(out == "'=1+2,'+41791234567,'-x,'@SUM(A1),a=b\r\n");
}

TEST_CASE("what AppendCsvRecord writes, ParseCsv and RestoreFormula read back") {
  std::vector<std::string> fields = {
      "=cmd|' /C calc'!A0", "x,\"y\"\r\nz", "'plain", "+1", "'=x", "''@"};
  std::string out;
  AppendCsvRecord(fields, out);
  std::vector<CsvRecord> records = ParseCsv(out);
  REQUIRE(records.size() == 1);
  REQUIRE(records[0].fields.size() == fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    CHECK(RestoreFormula(records[0].fields[i]) == fields[i]);
  }
}

}  // namespace
}  // namespace backoffice::users
