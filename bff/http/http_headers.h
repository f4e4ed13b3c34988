#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace backoffice::bff::http {

/// An ordered list of HTTP header fields. Names compare case-insensitively; they are stored as
/// given (the server hands requests over with lower-case names). Small on purpose: a request has
/// a dozen fields, so a linear scan beats a map.
class HttpHeaders {
 public:
  /// The value of the first field named `name`, or "" when there is none.
  std::string_view Get(std::string_view name) const;

  /// True when a field named `name` is present (even with an empty value).
  bool Has(std::string_view name) const;

  /// Every value of the fields named `name`, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;

  /// Appends a field, keeping any with the same name.
  void Add(std::string name, std::string value);

  /// Replaces every field named `name` with one field.
  void Set(std::string_view name, std::string value);

  /// Removes every field named `name`; returns how many were removed.
  size_t Remove(std::string_view name);

  /// Removes every field whose name starts with `prefix` (case-insensitive).
  size_t RemovePrefix(std::string_view prefix);

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace backoffice::bff::http
