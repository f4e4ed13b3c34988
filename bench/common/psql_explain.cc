#include "bench/common/psql_explain.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace backoffice::bench {
namespace {

std::string TypeName(unsigned oid) {
  switch (oid) {
    case pg::kBoolOid:
      return "bool";
    case pg::kByteaOid:
      return "bytea";
    case pg::kInt8Oid:
      return "int8";
    case pg::kInt4Oid:
      return "int4";
    case pg::kFloat8Oid:
      return "float8";
    case pg::kTimestamptzOid:
      return "timestamptz";
    default:
      return "unknown";  // inferred from the statement, as for the service's untyped strings
  }
}

std::string Literal(const pg::Param& param) {
  if (param.is_null()) {
    return "NULL";
  }
  return absl::StrCat("'", absl::StrReplaceAll(param.value(), {{"'", "''"}}), "'");
}

}  // namespace

std::string PrintPrepare(const std::string& name, const std::string& title, const std::string& sql,
                         const pg::Params& params) {
  std::vector<std::string> types;
  std::vector<std::string> values;
  for (const pg::Param& param : params) {
    types.push_back(TypeName(param.oid()));
    values.push_back(Literal(param));
  }
  std::printf("\\echo\n\\echo '#### %s'\n", title.c_str());
  std::printf("\\set ECHO queries\n");
  std::printf("PREPARE %s%s AS %s;\n", name.c_str(),
              types.empty() ? "" : absl::StrCat("(", absl::StrJoin(types, ", "), ")").c_str(),
              sql.c_str());
  return absl::StrCat("EXECUTE ", name,
                      values.empty() ? "" : absl::StrCat("(", absl::StrJoin(values, ", "), ")"));
}

// PREPARE, EXPLAIN the first execution, five more executions, EXPLAIN again.
void PrintExplain(const std::string& name, const std::string& title, const std::string& sql,
                  const pg::Params& params) {
  const std::string execute = PrintPrepare(name, title, sql, params);
  std::printf("\\set ECHO none\n\\echo '-- first execution (custom plan):'\n");
  std::printf("EXPLAIN (ANALYZE, BUFFERS) %s;\n", execute.c_str());
  std::printf("\\o /dev/null\n");
  for (int i = 0; i < 5; ++i) {
    std::printf("%s;\n", execute.c_str());
  }
  std::printf(
      "\\o\n\\echo '-- 7th execution (the plan the service keeps, plan_cache_mode = auto):'\n");
  std::printf("EXPLAIN (ANALYZE, BUFFERS) %s;\n", execute.c_str());
  std::printf("DEALLOCATE %s;\n", name.c_str());
}

}  // namespace backoffice::bench
