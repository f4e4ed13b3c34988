// Building the input of `COPY ... FROM STDIN` in PostgreSQL's text format: one line per row,
// columns separated by a tab, NULL written as \N.
//
//   std::string rows;
//   pg::AppendCopyText(rows, name);   // escapes backslash, tab, newline, carriage return
//   rows.push_back('\t');
//   pg::AppendCopyNull(rows);         // NULL
//   rows.push_back('\n');
//   absl::StatusOr<int64_t> copied = tx.CopyIn("COPY t (name, note) FROM STDIN", rows);
#pragma once

#include <string>
#include <string_view>

namespace backoffice::pg {

/// Appends `value` to `out` as one text-format COPY field: backslash, tab, newline and carriage
/// return become \\, \t, \n and \r; every other byte is copied as is (so a value "\N" stays a
/// string, never NULL).
void AppendCopyText(std::string& out, std::string_view value);

/// Appends the text-format NULL marker (\N) to `out`.
inline void AppendCopyNull(std::string& out) { out.append("\\N"); }

}  // namespace backoffice::pg
