#include "services/users/store/user_validation.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"

namespace backoffice::users {
namespace {

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

absl::Status Invalid(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(Absl(field), ": ", Absl(problem)));
}

bool IsAtext(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

// Decodes the next UTF-8 code point at text[i], advancing i; -1 for malformed input (overlong,
// surrogates, beyond U+10FFFF, truncated).
int32_t NextCodePoint(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  int length = 0;
  int32_t cp = 0;
  if (lead < 0x80) {
    ++i;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return -1;
  }
  if (i + length > text.size()) return -1;
  for (int k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr int32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += length;
  return cp;
}

bool IsControl(int32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

absl::Status ValidateLocalPart(std::string_view local, std::string_view field) {
  if (local.empty()) return Invalid(field, "the part before @ is empty");
  if (local.size() > kMaxEmailLocalPartBytes) {
    return Invalid(field, "the part before @ must be at most 64 bytes");
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return Invalid(field, "dots must separate characters before @");
  }
  for (char c : local) {
    if (c != '.' && !IsAtext(c)) {
      return Invalid(field, "only letters, digits and !#$%&'*+/=?^_`{|}~.- are allowed before @");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDomain(std::string_view domain, std::string_view field) {
  if (domain.empty()) return Invalid(field, "the domain after @ is empty");
  std::vector<absl::string_view> labels = absl::StrSplit(Absl(domain), '.');
  if (labels.size() < 2) return Invalid(field, "the domain needs at least one dot");
  for (absl::string_view label : labels) {
    if (label.empty() || label.size() > 63) {
      return Invalid(field, "each domain label must be 1 to 63 characters");
    }
    if (label.front() == '-' || label.back() == '-') {
      return Invalid(field, "domain labels must not start or end with a hyphen");
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return Invalid(field, "the domain may hold only letters, digits, hyphens and dots");
      }
    }
  }
  bool numeric_tld = true;
  for (char c : labels.back()) numeric_tld = numeric_tld && absl::ascii_isdigit(c);
  if (numeric_tld) return Invalid(field, "the top-level domain must not be all digits");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> NormalizeEmail(std::string_view email, std::string_view field) {
  if (email.empty()) return Invalid(field, "required");
  if (email.size() > kMaxEmailBytes) return Invalid(field, "must be at most 254 bytes");
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return Invalid(field, "must contain @");
  if (email.find('@') != at) return Invalid(field, "must contain exactly one @");
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  if (absl::Status status = ValidateLocalPart(local, field); !status.ok()) return status;
  if (absl::Status status = ValidateDomain(domain, field); !status.ok()) return status;
  return absl::StrCat(Absl(local), "@", absl::AsciiStrToLower(Absl(domain)));
}

absl::Status ValidateText(std::string_view text, int max_chars, std::string_view field) {
  int count = 0;
  for (size_t i = 0; i < text.size();) {
    int32_t cp = NextCodePoint(text, i);
    if (cp < 0) return Invalid(field, "must be valid UTF-8");
    if (IsControl(cp)) return Invalid(field, "must not contain control characters");
    if (++count > max_chars) {
      return Invalid(field, absl::StrCat("must be at most ", max_chars, " characters"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeDisplayName(std::string_view name, std::string_view field) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(Absl(name));
  if (trimmed.empty()) return Invalid(field, "required (1 to 200 characters)");
  if (absl::Status status =
          ValidateText({trimmed.data(), trimmed.size()}, kMaxDisplayNameChars, field);
      !status.ok()) {
    return status;
  }
  return std::string(trimmed);
}

absl::Status ValidatePhoneNumber(std::string_view phone, std::string_view field) {
  if (phone.empty()) return absl::OkStatus();
  bool digits = phone.size() >= 9 && phone.size() <= 16 && phone[0] == '+';
  for (size_t i = 1; digits && i < phone.size(); ++i) digits = absl::ascii_isdigit(phone[i]);
  if (!digits) return Invalid(field, "must be E.164: + then 8 to 15 digits");
  return absl::OkStatus();
}

absl::Status ValidateLocale(std::string_view locale, std::string_view field) {
  if (locale.empty()) return absl::OkStatus();
  if (locale.size() > kMaxLocaleBytes) return Invalid(field, "must be at most 35 bytes");
  std::vector<absl::string_view> subtags = absl::StrSplit(Absl(locale), '-');
  for (size_t i = 0; i < subtags.size(); ++i) {
    absl::string_view tag = subtags[i];
    bool ok = !tag.empty() && tag.size() <= 8 && (i > 0 || tag.size() >= 2);
    for (char c : tag) {
      ok = ok && (i == 0 ? absl::ascii_isalpha(c) : absl::ascii_isalnum(c));
    }
    if (!ok) return Invalid(field, "must be a BCP 47 language tag such as en or de-CH");
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeZone(std::string_view time_zone, std::string_view field) {
  if (time_zone.empty()) return absl::OkStatus();
  if (time_zone.size() > kMaxTimeZoneBytes) return Invalid(field, "must be at most 64 bytes");
  // Only names, never paths: zone names are letters, digits and _+- separated by single slashes.
  bool shaped = time_zone.front() != '/' && time_zone.back() != '/' &&
                time_zone.find("//") == std::string_view::npos &&
                time_zone.find("..") == std::string_view::npos && time_zone.front() != '.';
  for (char c : time_zone) {
    shaped = shaped && (absl::ascii_isalnum(c) || c == '/' || c == '_' || c == '+' || c == '-');
  }
  absl::TimeZone zone;
  if (!shaped || !absl::LoadTimeZone(std::string(time_zone), &zone)) {
    return Invalid(field, "must be an IANA time zone name such as Europe/Zurich");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeAttributes(std::string_view json, std::string_view field) {
  if (json.empty()) return std::string("{}");
  if (json.size() > 4 * kMaxAttributesBytes) {
    return Invalid(field, "must be at most 16 KiB");
  }
  boost::system::error_code error;
  boost::json::value value =
      boost::json::parse(boost::json::string_view(json.data(), json.size()), error);
  if (error) return Invalid(field, "must be valid JSON");
  if (!value.is_object()) return Invalid(field, "must be a JSON object");
  if (value.as_object().size() > static_cast<size_t>(kMaxAttributesKeys)) {
    return Invalid(field, "must have at most 64 top-level keys");
  }
  std::string compact = boost::json::serialize(value);
  if (compact.size() > static_cast<size_t>(kMaxAttributesBytes)) {
    return Invalid(field, "must be at most 16 KiB as JSON");
  }
  return compact;
}

absl::StatusOr<UserFields> NormalizeNewUserFields(const UserFields& fields) {
  UserFields out = fields;
  absl::StatusOr<std::string> email = NormalizeEmail(fields.email);
  if (!email.ok()) return email.status();
  out.email = *std::move(email);
  std::string_view name = fields.display_name;
  std::string local_part;
  if (absl::StripAsciiWhitespace(Absl(name)).empty()) {
    local_part = out.email.substr(0, out.email.rfind('@'));
    name = local_part;
  }
  absl::StatusOr<std::string> display_name = NormalizeDisplayName(name);
  if (!display_name.ok()) return display_name.status();
  out.display_name = *std::move(display_name);
  if (absl::Status s = ValidatePhoneNumber(fields.phone_number); !s.ok()) return s;
  if (absl::Status s = ValidateLocale(fields.locale); !s.ok()) return s;
  if (absl::Status s = ValidateTimeZone(fields.time_zone); !s.ok()) return s;
  absl::StatusOr<std::string> attributes = NormalizeAttributes(fields.attributes);
  if (!attributes.ok()) return attributes.status();
  out.attributes = *std::move(attributes);
  return out;
}

}  // namespace backoffice::users
