#include "bff/app/route_support.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bff/http/json_body.h"
#include "bff/http/problem.h"
#include "bff/http/router.h"

namespace backoffice::bff::app {
namespace {

absl::Status FieldError(std::string field, std::string message) {
  std::string text = absl::StrCat(field, ": ", message);
  return http::WithFieldErrors(absl::InvalidArgumentError(text),
                               {{std::move(field), std::move(message)}});
}

std::optional<std::string> DecodeComponent(absl::string_view text) {
  std::string raw(text);
  std::replace(raw.begin(), raw.end(), '+', ' ');  // form encoding
  return http::PercentDecode(raw);
}

}  // namespace

http::HttpResponse RecordResponse(int status, const boost::json::object& record,
                                  std::string_view etag) {
  return RecordResponse(status, boost::json::serialize(record), etag);
}

http::HttpResponse RecordResponse(int status, std::string record_json, std::string_view etag) {
  http::HttpResponse response = http::HttpResponse::Json(status, std::move(record_json));
  if (!etag.empty()) {
    response.headers.Set("ETag",
                         absl::StrCat("\"", absl::string_view(etag.data(), etag.size()), "\""));
  }
  return response;
}

http::HttpResponse ListResponse(const http::ListQuery& query, boost::json::array rows,
                                const common::v1::PageInfo& page_info) {
  const size_t count = rows.size();
  return ListResponse(query, boost::json::serialize(rows), count, page_info);
}

http::HttpResponse ListResponse(const http::ListQuery& query, std::string rows_json, size_t count,
                                const common::v1::PageInfo& page_info) {
  http::HttpResponse response = http::HttpResponse::Json(200, std::move(rows_json));
  std::optional<uint64_t> total;
  if (page_info.total_size() >= 0) {
    total = static_cast<uint64_t>(page_info.total_size());
  }
  http::SetListHeaders(response, query, count, total);
  if (!page_info.next_page_token().empty()) {
    response.headers.Set("X-Next-Cursor", page_info.next_page_token());
  }
  return response;
}

std::string IfMatch(const http::HttpRequest& request) {
  std::string_view header = request.headers.Get("if-match");
  absl::string_view text =
      absl::StripAsciiWhitespace(absl::string_view(header.data(), header.size()));
  if (text == "*") {
    return "";
  }
  if (absl::StartsWith(text, "W/")) {
    text.remove_prefix(2);
  }
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  return std::string(text);
}

http::HttpResponse WriteProblem(const http::HttpRequest& request, const absl::Status& status,
                                bool if_match_used) {
  if (status.code() == absl::StatusCode::kAborted && if_match_used) {
    return http::ProblemResponse(request, http::MakeProblem(412, std::string(status.message())));
  }
  return http::ProblemResponse(request, status);
}

absl::StatusOr<std::map<std::string, std::string>> ReadQueryOptions(
    std::string_view query, std::initializer_list<const char*> allowed) {
  std::map<std::string, std::string> options;
  for (absl::string_view pair :
       absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
    size_t equals = pair.find('=');
    std::optional<std::string> name = DecodeComponent(pair.substr(0, equals));
    std::optional<std::string> value = equals == absl::string_view::npos
                                           ? std::optional<std::string>("")
                                           : DecodeComponent(pair.substr(equals + 1));
    if (!name.has_value() || !value.has_value()) {
      return absl::InvalidArgumentError("the query string is malformed");
    }
    if (std::find_if(allowed.begin(), allowed.end(),
                     [&](const char* known) { return *name == known; }) == allowed.end()) {
      std::string shown = name->substr(0, 64);
      return FieldError(shown, allowed.size() == 0
                                   ? std::string("unknown parameter; this route takes none")
                                   : absl::StrCat("unknown parameter; this route takes ",
                                                  absl::StrJoin(allowed, ", ")));
    }
    if (!options.emplace(*name, *std::move(value)).second) {
      return FieldError(*name, "must be given at most once");
    }
  }
  return options;
}

absl::StatusOr<bool> BoolOption(const std::map<std::string, std::string>& options,
                                std::string_view name, bool fallback) {
  auto found = options.find(std::string(name));
  if (found == options.end()) {
    return fallback;
  }
  if (found->second == "true") {
    return true;
  }
  if (found->second == "false") {
    return false;
  }
  return FieldError(std::string(name), "must be true or false");
}

std::optional<http::Problem> BodyIdProblem(const boost::json::object& body, std::string_view id) {
  const boost::json::value* body_id = body.if_contains("id");
  if (body_id == nullptr || body_id->is_null() ||
      (body_id->is_string() && body_id->get_string() == id)) {
    return std::nullopt;
  }
  return http::ValidationProblem("id", "does not match the URL");
}

std::optional<http::Problem> FillUpdateMask(const std::vector<std::string>& paths,
                                            google::protobuf::FieldMask& mask) {
  // PUT as PATCH: react-admin's edit form PUTs the whole record, its bulk update PUTs only the
  // changed members; replacing every writable member would refuse the latter (or clear fields).
  if (paths.empty()) {
    return http::MakeProblem(400, "Nothing to update: send at least one writable field.");
  }
  for (const std::string& path : paths) mask.add_paths(path);
  return std::nullopt;
}

WriteCondition WriteConditionOf(const http::HttpRequest& request, const boost::json::object& body) {
  WriteCondition condition;
  condition.etag = IfMatch(request);
  condition.if_match = !condition.etag.empty();
  if (condition.if_match) return condition;
  for (const char* name : {"etag", "version"}) {
    if (const boost::json::value* value = body.if_contains(name);
        value != nullptr && value->is_string()) {
      const boost::json::string& text = value->get_string();
      condition.etag.assign(text.data(), text.size());
      break;
    }
  }
  return condition;
}

}  // namespace backoffice::bff::app
