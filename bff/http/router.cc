#include "bff/http/router.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace backoffice::bff::http {
namespace {

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  // "/a/b" → {"a", "b"}; "/" → {""}.
  std::vector<std::string_view> parts;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(path.data(), path.size()).substr(1), '/')) {
    parts.emplace_back(part.data(), part.size());
  }
  return parts;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) {
        return std::nullopt;
      }
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '\0') {
      return std::nullopt;
    }
    out.push_back(c);
  }
  return out;
}

absl::Status Router::Add(Route route) {
  if (route.method.empty() || !std::all_of(route.method.begin(), route.method.end(),
                                           [](char c) { return absl::ascii_isupper(c); })) {
    return absl::InvalidArgumentError(absl::StrCat("route method '", route.method, "' is invalid"));
  }
  if (route.pattern.empty() || route.pattern.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("route pattern '", route.pattern, "' must start with '/'"));
  }
  if (route.permission.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("route ", route.method, " ", route.pattern,
                                                   " must declare a permission (or kPublic)"));
  }
  if (!route.handler) {
    return absl::InvalidArgumentError(
        absl::StrCat("route ", route.method, " ", route.pattern, " has no handler"));
  }
  Entry entry;
  for (std::string_view segment : SplitPath(route.pattern)) {
    bool braces = segment.find_first_of("{}") != std::string_view::npos;
    if (segment.empty() || (braces && !IsParam(segment)) ||
        (IsParam(segment) &&
         segment.substr(1, segment.size() - 2).find_first_of("{}/") != std::string_view::npos)) {
      return absl::InvalidArgumentError(
          absl::StrCat("route pattern '", route.pattern, "' has a malformed segment"));
    }
    entry.segments.emplace_back(segment);
  }
  for (const Entry& existing : entries_) {
    if (existing.route.method != route.method ||
        existing.segments.size() != entry.segments.size()) {
      continue;
    }
    bool same = true;
    for (size_t i = 0; i < entry.segments.size() && same; ++i) {
      same = (IsParam(existing.segments[i]) && IsParam(entry.segments[i])) ||
             existing.segments[i] == entry.segments[i];
    }
    if (same) {
      return absl::AlreadyExistsError(
          absl::StrCat("route ", route.method, " ", route.pattern, " is declared twice"));
    }
  }
  entry.route = std::move(route);
  entries_.push_back(std::move(entry));
  return absl::OkStatus();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match result;
  if (path.empty() || path.front() != '/') {
    return result;
  }
  std::vector<std::string_view> parts = SplitPath(path);
  // Literal segments win over parameters: "/api/users/me" before "/api/users/{id}".
  const Entry* best = nullptr;
  int best_literals = -1;
  std::vector<std::pair<std::string, std::string>> best_params;
  for (const Entry& entry : entries_) {
    if (entry.segments.size() != parts.size()) {
      continue;
    }
    std::vector<std::pair<std::string, std::string>> params;
    int literals = 0;
    bool matched = true;
    for (size_t i = 0; i < parts.size() && matched; ++i) {
      const std::string& segment = entry.segments[i];
      if (IsParam(segment)) {
        std::optional<std::string> value = PercentDecode(parts[i]);
        matched = !parts[i].empty() && value.has_value();
        if (matched) {
          params.emplace_back(segment.substr(1, segment.size() - 2), std::move(*value));
        }
      } else {
        matched = segment == parts[i];
        ++literals;
      }
    }
    if (!matched) {
      continue;
    }
    bool method_ok =
        entry.route.method == method || (method == "HEAD" && entry.route.method == "GET");
    if (!method_ok) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(),
                    entry.route.method) == result.allowed_methods.end()) {
        result.allowed_methods.push_back(entry.route.method);
      }
      continue;
    }
    if (literals > best_literals) {
      best = &entry;
      best_literals = literals;
      best_params = std::move(params);
    }
  }
  if (best != nullptr) {
    result.route = &best->route;
    result.params = std::move(best_params);
    result.allowed_methods.clear();
  } else if (!result.allowed_methods.empty()) {
    if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), "GET") !=
        result.allowed_methods.end()) {
      result.allowed_methods.push_back("HEAD");
    }
    result.allowed_methods.push_back("OPTIONS");
  }
  return result;
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> list;
  for (const Entry& entry : entries_) {
    list.push_back(&entry.route);
  }
  return list;
}

}  // namespace backoffice::bff::http
