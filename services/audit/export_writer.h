// Formats exported events as CSV (RFC 4180, header row) or NDJSON (proto3 JSON mapping), in
// chunks of at most 64 KiB that end on record boundaries.
//
//   ExportWriter writer(v1::EXPORT_FORMAT_CSV);
//   for (const Event& e : events) {
//     if (auto s = writer.Add(e); !s.ok()) return s;
//     if (writer.ready()) Send(writer.TakeChunk());
//   }
//   Send(writer.TakeChunk());
#pragma once

#include <string>

#include "absl/status/status.h"
#include "proto/audit/v1/audit.pb.h"
#include "services/audit/store/event.h"

namespace backoffice::audit {

/// Chunks are flushed before they would grow past this.
inline constexpr size_t kMaxExportChunkBytes = 64 * 1024;

/// CSV columns, in order.
inline constexpr char kCsvHeader[] =
    "sequence,id,event_time,ingest_time,actor,action,resource_type,resource_id,service,"
    "request_id,trace_id,outcome,message,before,after,metadata,prev_hash,hash\r\n";

/// Not thread-safe.
class ExportWriter final {
 public:
  /// UNSPECIFIED means NDJSON.
  explicit ExportWriter(v1::ExportFormat format);

  /// Formats one event. A record that would push the pending chunk past 64 KiB starts the next
  /// chunk (a single record larger than that is a chunk of its own).
  absl::Status Add(const Event& event);

  /// True when a full chunk is waiting.
  bool ready() const { return !full_.empty(); }

  /// The waiting full chunk, or else whatever is pending (empty when nothing is).
  std::string TakeChunk();

  /// Events in the chunks taken so far.
  int64_t events_taken() const { return taken_; }

 private:
  bool csv_;
  std::string pending_;
  int64_t pending_events_ = 0;
  std::string full_;
  int64_t full_events_ = 0;
  int64_t taken_ = 0;
};

/// One CSV cell: quoted when it holds `,` `"` CR or LF (quotes doubled); a leading `=`, `+`, `-`,
/// `@`, tab or CR gets a `'` in front so spreadsheets do not run it as a formula.
std::string CsvCell(std::string_view value);

}  // namespace backoffice::audit
