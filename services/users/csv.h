// CSV (RFC 4180) for the users service's bulk import and export: a parser for a whole document
// that reports malformed records one by one instead of failing, and a writer that quotes as the
// RFC says and neutralizes spreadsheet formulas (OWASP "CSV Injection").
//
//   for (const CsvRecord& record : ParseCsv(text)) { ... record.fields ... record.error ... }
//   std::string out;
//   AppendCsvRecord({"email", "display_name"}, out);  // "email,display_name\r\n"
//
// Why hand-written: none of the project's libraries (Abseil, Boost, the standard library) parses
// or writes RFC 4180 with quoted line breaks; it is about 100 lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"

namespace backoffice::users {

/// One record of a CSV document.
struct CsvRecord {
  /// The fields, unquoted.
  std::vector<std::string> fields;
  /// Why the record is malformed (a stray or unterminated quote); empty when it is well formed.
  /// A malformed record ends at the next line break outside quotes, so later records still parse.
  std::string error;
};

/// Every record of `text`: a UTF-8 BOM at the start is skipped; records end with CRLF or LF (or
/// the end of the text); fields are separated by commas; a field that starts with `"` is quoted,
/// may contain commas, line breaks and `""` (one quote), and must be followed by a comma or the
/// record's end. Empty lines are skipped. UTF-8 validity is the caller's concern.
std::vector<CsvRecord> ParseCsv(std::string_view text);

/// `cell`, made safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a tab or
/// a carriage return (after any leading `'`) gets a leading `'`, so it shows as text and is never
/// evaluated.
std::string NeutralizeFormula(std::string_view cell);

/// The exact inverse of NeutralizeFormula, for import: drops the `'` it added, so an export can
/// be re-imported unchanged. Other cells pass through.
std::string_view RestoreFormula(std::string_view cell);

/// Appends one record to `out`: each field passed through NeutralizeFormula, quoted when it holds
/// a comma, quote, CR or LF (quotes doubled), fields joined by commas, ended by CRLF.
void AppendCsvRecord(absl::Span<const std::string> fields, std::string& out);

}  // namespace backoffice::users
