#include "libs/metrics/text_format.h"

#include <catch2/catch.hpp>
#include <limits>
#include <string>

namespace backoffice::metrics {
namespace {

TEST_CASE("Metric names follow the Prometheus syntax") {
  for (const char* name : {"http_requests_total", "_private", "ns:rule:rate5m", "A1"}) {
    INFO(name);
    CHECK(IsValidMetricName(name));
  }
  for (const char* name : {"", "1abc", "has-dash", "has space", "caf\xc3\xa9", "a.b"}) {
    INFO(name);
    CHECK_FALSE(IsValidMetricName(name));
  }
}

TEST_CASE("Label names follow the Prometheus syntax and avoid the reserved prefix") {
  CHECK(IsValidLabelName("method"));
  CHECK(IsValidLabelName("_x1"));
  CHECK_FALSE(IsValidLabelName("__name__"));
  CHECK_FALSE(IsValidLabelName("with:colon"));
  CHECK_FALSE(IsValidLabelName("9lives"));
  CHECK_FALSE(IsValidLabelName(""));
}

TEST_CASE("Label values and HELP text are escaped as the format requires") {
  std::string label;
  AppendLabelValue(label, "a\\b\"c\nd\te");
  CHECK(label == "a\\\\b\\\"c\\nd\te");
  std::string help;
  AppendHelp(help, "a\\b\"c\nd");
  CHECK(help == "a\\\\b\"c\\nd");
  std::string bad_utf8;
  AppendLabelValue(bad_utf8, "x\xff\xc3\xa9\xed\xa0\x80");
  CHECK(bad_utf8 == "x\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("Sample values use the shortest exact form and Prometheus' special names") {
  const auto format = [](double value) {
    std::string out;
    AppendSampleValue(out, value);
    return out;
  };
  CHECK(format(0) == "0");
  CHECK(format(42) == "42");
  CHECK(format(0.0005) == "0.0005");
  CHECK(format(0.1) == "0.1");
  CHECK(format(-2.5) == "-2.5");
  CHECK(format(123456789) == "123456789");
  CHECK(format(1e21) == "1e+21");
  CHECK(format(1.5e-7) == "1.5e-07");
  CHECK(format(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

}  // namespace
}  // namespace backoffice::metrics
