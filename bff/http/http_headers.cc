#include "bff/http/http_headers.h"

#include <algorithm>

#include "absl/strings/match.h"

namespace backoffice::bff::http {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                absl::string_view(b.data(), b.size()));
}

}  // namespace

std::string_view HttpHeaders::Get(std::string_view name) const {
  for (const auto& [field, value] : fields_) {
    if (SameName(field, name)) {
      return value;
    }
  }
  return {};
}

bool HttpHeaders::Has(std::string_view name) const {
  for (const auto& field : fields_) {
    if (SameName(field.first, name)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string_view> HttpHeaders::GetAll(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [field, value] : fields_) {
    if (SameName(field, name)) {
      values.push_back(value);
    }
  }
  return values;
}

void HttpHeaders::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void HttpHeaders::Set(std::string_view name, std::string value) {
  Remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

size_t HttpHeaders::Remove(std::string_view name) {
  size_t before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const auto& field) { return SameName(field.first, name); }),
                fields_.end());
  return before - fields_.size();
}

size_t HttpHeaders::RemovePrefix(std::string_view prefix) {
  size_t before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const auto& field) {
                                 return field.first.size() >= prefix.size() &&
                                        SameName(
                                            std::string_view(field.first).substr(0, prefix.size()),
                                            prefix);
                               }),
                fields_.end());
  return before - fields_.size();
}

}  // namespace backoffice::bff::http
