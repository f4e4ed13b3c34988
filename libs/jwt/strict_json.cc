#include "libs/jwt/strict_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace backoffice::jwt {
namespace {

namespace json = boost::json;

// Past this many members, an object's names go into a hash set instead of a linear scan, so a
// large hostile document cannot make duplicate detection quadratic.
constexpr size_t kLinearScanLimit = 16;

// The names seen so far in one open object.
class MemberNames {
 public:
  // Returns false if `name` was already present.
  bool Insert(std::string name) {
    if (set_ != nullptr) {
      return set_->insert(std::move(name)).second;
    }
    for (const std::string& seen : names_) {
      if (seen == name) {
        return false;
      }
    }
    names_.push_back(std::move(name));
    if (names_.size() > kLinearScanLimit) {
      set_ = std::make_unique<absl::flat_hash_set<std::string>>(
          std::make_move_iterator(names_.begin()), std::make_move_iterator(names_.end()));
      names_.clear();
    }
    return true;
  }

 private:
  std::vector<std::string> names_;
  std::unique_ptr<absl::flat_hash_set<std::string>> set_;
};

// Boost.JSON's default handler (it builds values with a value_stack) plus duplicate detection.
class StrictHandler {
 public:
  constexpr static std::size_t max_object_size = json::object::max_size();
  constexpr static std::size_t max_array_size = json::array::max_size();
  constexpr static std::size_t max_key_size = json::string::max_size();
  constexpr static std::size_t max_string_size = json::string::max_size();

  json::value_stack stack;
  bool duplicate = false;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    objects_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    objects_.pop_back();
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    stack.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    if (!objects_.back().Insert(std::move(key_))) {
      duplicate = true;
      ec = json::error::syntax;  // any error stops the parser; `duplicate` says which
      return false;
    }
    key_.clear();
    stack.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    stack.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::vector<MemberNames> objects_;
  std::string key_;
};

}  // namespace

absl::StatusOr<json::value> ParseStrictJson(std::string_view text) {
  json::parse_options options;  // strict by default: no comments, no trailing commas, UTF-8
  options.max_depth = 32;
  json::basic_parser<StrictHandler> parser(options);
  parser.handler().stack.reset();
  json::error_code ec;
  std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (parser.handler().duplicate) {
    return absl::InvalidArgumentError("duplicate JSON member name");
  }
  if (ec || consumed != text.size()) {
    return absl::InvalidArgumentError("malformed JSON");
  }
  return parser.handler().stack.release();
}

absl::StatusOr<json::object> ParseStrictJsonObject(std::string_view text) {
  absl::StatusOr<json::value> value = ParseStrictJson(text);
  if (!value.ok()) {
    return value.status();
  }
  if (!value->is_object()) {
    return absl::InvalidArgumentError("JSON is not an object");
  }
  return std::move(value->get_object());
}

}  // namespace backoffice::jwt
