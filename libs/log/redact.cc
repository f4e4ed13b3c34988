#include "libs/log/redact.h"

#include <cstddef>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace backoffice::log {
namespace {

constexpr std::string_view kSecretKeyParts[] = {
    "password", "passwd",  "secret", "token",       "authorization",
    "cookie",   "api_key", "apikey", "private_key", "privatekey",
};

absl::string_view AsAbsl(std::string_view text) { return {text.data(), text.size()}; }

bool ContainsIgnoreCase(std::string_view text, std::string_view lower_needle) {
  for (size_t i = 0; i + lower_needle.size() <= text.size(); ++i) {
    if (absl::EqualsIgnoreCase(AsAbsl(text.substr(i, lower_needle.size())), AsAbsl(lower_needle))) {
      return true;
    }
  }
  return false;
}

bool IsBase64UrlChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; }

// Characters of an OAuth bearer token (RFC 6750 b64token).
bool IsTokenChar(char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
         c == '/' || c == '=';
}

bool IsEmailLocalChar(char c) {
  return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool IsDomainChar(char c) { return absl::ascii_isalnum(c) || c == '.' || c == '-'; }

// Replaces "Bearer <token>" by "Bearer [REDACTED]", keeping the original spelling of "Bearer".
std::string RedactBearer(std::string_view text) {
  constexpr std::string_view kBearer = "bearer";
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i + kBearer.size() < text.size(); ++i) {
    if ((i > 0 && absl::ascii_isalnum(text[i - 1])) ||
        !absl::EqualsIgnoreCase(AsAbsl(text.substr(i, kBearer.size())), "bearer")) {
      continue;
    }
    size_t token_start = i + kBearer.size();
    while (token_start < text.size() && (text[token_start] == ' ' || text[token_start] == '\t')) {
      ++token_start;
    }
    if (token_start == i + kBearer.size()) {
      continue;  // "bearer" not followed by a space: an ordinary word.
    }
    size_t token_end = token_start;
    while (token_end < text.size() && IsTokenChar(text[token_end])) {
      ++token_end;
    }
    if (token_end == token_start) {
      continue;
    }
    out.append(text.substr(copied, token_start - copied));
    out.append(kRedacted);
    copied = token_end;
    i = token_end - 1;
  }
  out.append(text.substr(copied));
  return out;
}

// Replaces header.payload.signature strings whose header starts "eyJ" (base64 of '{"').
std::string RedactJwt(std::string_view text) {
  std::string out;
  size_t copied = 0;
  size_t i = 0;
  while ((i = text.find("eyJ", i)) != std::string_view::npos) {
    if (i > 0 && IsBase64UrlChar(text[i - 1])) {
      i += 3;
      continue;
    }
    size_t end = i;
    int dots = 0;
    size_t segment_length = 0;
    bool valid = true;
    while (end < text.size()) {
      const char c = text[end];
      if (IsBase64UrlChar(c)) {
        ++segment_length;
      } else if (c == '.' && dots < 2) {
        if (segment_length == 0) {
          valid = false;  // Empty header or payload.
          break;
        }
        ++dots;
        segment_length = 0;
      } else {
        break;
      }
      ++end;
    }
    // The signature may be empty (unsigned tokens); header and payload may not.
    if (!valid || dots < 2) {
      i += 3;
      continue;
    }
    out.append(text.substr(copied, i - copied));
    out.append(kRedacted);
    copied = end;
    i = end;
  }
  out.append(text.substr(copied));
  return out;
}

// Masks local@domain.tld as l***@domain.tld.
std::string MaskEmails(std::string_view text) {
  std::string out;
  size_t copied = 0;
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    if (at < copied) {
      continue;
    }
    size_t local_start = at;
    while (local_start > copied && IsEmailLocalChar(text[local_start - 1])) {
      --local_start;
    }
    size_t domain_end = at + 1;
    while (domain_end < text.size() && IsDomainChar(text[domain_end])) {
      ++domain_end;
    }
    // A sentence may end right after the address: drop trailing dots and hyphens.
    while (domain_end > at + 1 && (text[domain_end - 1] == '.' || text[domain_end - 1] == '-')) {
      --domain_end;
    }
    const std::string_view domain = text.substr(at + 1, domain_end - at - 1);
    const size_t last_dot = domain.rfind('.');
    if (local_start == at || last_dot == std::string_view::npos || last_dot == 0 ||
        domain.size() - last_dot - 1 < 2) {
      continue;
    }
    out.append(text.substr(copied, local_start - copied));
    out += text[local_start];
    out.append("***@");
    out.append(domain);
    copied = domain_end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace

bool IsSecretKey(std::string_view key) {
  std::string normalized = absl::AsciiStrToLower(AsAbsl(key));
  for (char& c : normalized) {
    if (c == '-') {
      c = '_';
    }
  }
  for (std::string_view part : kSecretKeyParts) {
    if (normalized.find(part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string RedactText(std::string_view text) {
  const bool has_at = text.find('@') != std::string_view::npos;
  const bool has_jwt = text.find("eyJ") != std::string_view::npos;
  const bool has_bearer = ContainsIgnoreCase(text, "bearer");
  if (!has_at && !has_jwt && !has_bearer) {
    return std::string(text);
  }
  std::string result(text);
  if (has_bearer) {
    result = RedactBearer(result);
  }
  if (has_jwt) {
    result = RedactJwt(result);
  }
  if (has_at) {
    result = MaskEmails(result);
  }
  return result;
}

}  // namespace backoffice::log
