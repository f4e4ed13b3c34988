#include "services/users/credentials/password_policy.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/users/credentials/common_passwords_txt.h"

namespace backoffice::users {
namespace {

absl::Status Violation(std::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat("password: ", absl::string_view(rule.data(), rule.size())));
}

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = absl::ascii_tolower(static_cast<unsigned char>(c));
  }
  return out;
}

// Decodes strict UTF-8 (RFC 3629) into code points; nullopt on any malformed sequence.
std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<uint8_t>(text[i]);
    size_t length;
    char32_t code_point;
    char32_t min_value;
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
      min_value = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
      min_value = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
      min_value = 0x10000;
    } else {
      return std::nullopt;  // a continuation byte or 0xF8..0xFF as a lead byte
    }
    if (i + length > text.size()) {
      return std::nullopt;
    }
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return std::nullopt;
      }
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < min_value || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;  // overlong form, beyond Unicode, or a UTF-16 surrogate
    }
    out.push_back(code_point);
    i += length;
  }
  return out;
}

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// Whether `lower_password` equals or (for long enough needles) contains `needle`.
std::optional<std::string_view> MatchesPersonalData(const std::string& lower_password,
                                                    std::string_view needle,
                                                    std::string_view rule) {
  if (needle.empty()) {
    return std::nullopt;
  }
  const std::string lower_needle = LowerAscii(needle);
  if (lower_password == lower_needle) {
    return rule;
  }
  if (lower_needle.size() >= PasswordPolicy::kMinContainedLength &&
      lower_password.find(lower_needle) != std::string::npos) {
    return rule;
  }
  return std::nullopt;
}

}  // namespace

PasswordPolicy::PasswordPolicy() {
  std::string_view text = kCommonPasswordsText;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty() || line.substr(0, 2) == "# ") {
      continue;  // blank lines and comments ("# " then text) in the list file
    }
    common_.insert(LowerAscii(line));
  }
}

bool PasswordPolicy::IsCommon(std::string_view password) const {
  return common_.contains(LowerAscii(password));
}

absl::Status PasswordPolicy::Check(std::string_view password, std::string_view email,
                                   std::string_view display_name) const {
  if (password.size() > kMaxBytes) {
    return Violation(absl::StrCat("must be at most ", kMaxBytes, " bytes"));
  }
  std::optional<std::vector<char32_t>> code_points = DecodeUtf8(password);
  if (!code_points) {
    return Violation("must be valid UTF-8");
  }
  for (char32_t c : *code_points) {
    if (IsControl(c)) {
      return Violation("must not contain control characters");
    }
  }
  if (code_points->size() < kMinCodePoints) {
    return Violation(absl::StrCat("must be at least ", kMinCodePoints, " characters"));
  }
  if (code_points->size() > kMaxCodePoints) {
    return Violation(absl::StrCat("must be at most ", kMaxCodePoints, " characters"));
  }
  bool one_character = true;
  for (char32_t c : *code_points) {
    one_character = one_character && c == code_points->front();
  }
  if (one_character) {
    return Violation("must not be a single repeated character");
  }

  const std::string lower = LowerAscii(password);
  const size_t at = email.rfind('@');
  const std::string_view local_part = at == std::string_view::npos ? email : email.substr(0, at);
  for (const std::optional<std::string_view>& match :
       {MatchesPersonalData(lower, email, "must not contain the email address or its local part"),
        MatchesPersonalData(lower, local_part,
                            "must not contain the email address or its local part"),
        MatchesPersonalData(lower, display_name, "must not contain the display name")}) {
    if (match) {
      return Violation(*match);
    }
  }
  if (common_.contains(lower)) {
    return Violation("is too common; choose a less predictable password");
  }
  return absl::OkStatus();
}

}  // namespace backoffice::users
