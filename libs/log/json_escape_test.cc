#include "libs/log/json_escape.h"

#include <catch2/catch.hpp>
#include <limits>
#include <string>

namespace backoffice::log {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

std::string Number(double value) {
  std::string out;
  AppendJsonDouble(out, value);
  return out;
}

TEST_CASE("AppendJsonString escapes quotes, backslashes and control characters") {
  CHECK(Escaped("plain") == R"("plain")");
  CHECK(Escaped("say \"hi\" \\ bye") == R"("say \"hi\" \\ bye")");
  CHECK(Escaped("a\nb\rc\td\be\ff") == R"("a\nb\rc\td\be\ff")");
  CHECK(Escaped(std::string_view("\x01\x1f\x7f\0", 4)) == R"("\u0001\u001f\u007f\u0000")");
}

TEST_CASE("AppendJsonString keeps valid UTF-8 and escapes line separators") {
  CHECK(Escaped("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
  CHECK(Escaped("\xf4\x8f\xbf\xbf") == "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF, the last code point.
  CHECK(Escaped("a\xe2\x80\xa8z\xe2\x80\xa9") == R"("a\u2028z\u2029")");
}

TEST_CASE("AppendJsonString replaces each invalid UTF-8 byte with U+FFFD") {
  CHECK(Escaped("\xff") == R"("\ufffd")");
  CHECK(Escaped("ok\xc0\xaf") == R"("ok\ufffd\ufffd")");                  // Overlong '/'.
  CHECK(Escaped("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");            // Surrogate.
  CHECK(Escaped("\xe2\x82") == R"("\ufffd\ufffd")");                      // Truncated.
  CHECK(Escaped("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // Above U+10FFFF.
  CHECK(Escaped("\x80x") == R"("\ufffdx")");                              // Lone continuation.
}

TEST_CASE("AppendJsonDouble writes shortest numbers and strings for non-finite values") {
  CHECK(Number(0.5) == "0.5");
  CHECK(Number(3) == "3");
  CHECK(Number(-1.25e-7) == "-1.25e-07");
  CHECK(Number(std::numeric_limits<double>::quiet_NaN()) == "\"NaN\"");
  CHECK(Number(std::numeric_limits<double>::infinity()) == "\"+Inf\"");
  CHECK(Number(-std::numeric_limits<double>::infinity()) == "\"-Inf\"");
}

}  // namespace
}  // namespace backoffice::log
