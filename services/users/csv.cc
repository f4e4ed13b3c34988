#include "services/users/csv.h"

namespace backoffice::users {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsFormulaStart(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// Whether `cell`, after any leading `'`, starts a formula: such cells get (or lost) one `'`, so
// the pair below is exact even for values that themselves start with `'=`.
bool NeedsGuard(std::string_view cell) {
  size_t start = cell.find_first_not_of('\'');
  return start != std::string_view::npos && IsFormulaStart(cell[start]);
}

}  // namespace

std::vector<CsvRecord> ParseCsv(std::string_view text) {
  if (text.substr(0, kBom.size()) == kBom) {
    text.remove_prefix(kBom.size());
  }
  std::vector<CsvRecord> records;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    // An empty line is no record.
    if (text[i] == '\n' || (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
      i += text[i] == '\r' ? 2 : 1;
      continue;
    }
    CsvRecord record;
    std::string field;
    bool record_done = false;
    while (!record_done) {
      field.clear();
      if (i < n && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < n) {
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          field.push_back(text[i++]);
        }
        if (!closed) {
          record.error = "unterminated quoted field";
          i = n;
          record_done = true;
          break;
        }
        if (i < n && text[i] != ',' && text[i] != '\n' &&
            !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') &&
            !(text[i] == '\r' && i + 1 == n)) {
          record.error = "text after a closing quote";
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' &&
               !(text[i] == '\r' && (i + 1 == n || text[i + 1] == '\n'))) {
          if (text[i] == '"') {
            record.error = "quote inside an unquoted field";
          }
          field.push_back(text[i++]);
        }
      }
      if (!record.error.empty()) {
        // Skip to the end of the line; the rest of this record is not trusted.
        while (i < n && text[i] != '\n') {
          ++i;
        }
        if (i < n) {
          ++i;
        }
        record_done = true;
        break;
      }
      record.fields.push_back(field);
      if (i >= n) {
        record_done = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        i += text[i] == '\r' ? 2 : 1;
        record_done = true;
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::string NeutralizeFormula(std::string_view cell) {
  if (NeedsGuard(cell)) {
    std::string out = "'";
    out.append(cell);
    return out;
  }
  return std::string(cell);
}

std::string_view RestoreFormula(std::string_view cell) {
  if (!cell.empty() && cell.front() == '\'' && NeedsGuard(cell)) {
    cell.remove_prefix(1);
  }
  return cell;
}

void AppendCsvRecord(absl::Span<const std::string> fields, std::string& out) {
  bool first = true;
  for (const std::string& raw : fields) {
    if (!first) {
      out.push_back(',');
    }
    first = false;
    std::string cell = NeutralizeFormula(raw);
    if (cell.find_first_of(",\"\r\n") == std::string::npos) {
      out.append(cell);
      continue;
    }
    out.push_back('"');
    for (char c : cell) {
      if (c == '"') {
        out.push_back('"');
      }
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.append("\r\n");
}

}  // namespace backoffice::users
