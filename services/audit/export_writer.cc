#include "services/audit/export_writer.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/event_mapping.h"
#include "services/audit/store/canonical_event.h"

namespace backoffice::audit {

std::string CsvCell(std::string_view value) {
  std::string cell;
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
                         value[0] == '\t' || value[0] == '\r')) {
    cell.push_back('\'');
  }
  cell.append(value);
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

ExportWriter::ExportWriter(v1::ExportFormat format) : csv_(format == v1::EXPORT_FORMAT_CSV) {
  if (csv_) pending_ = kCsvHeader;
}

absl::Status ExportWriter::Add(const Event& event) {
  std::string record;
  if (csv_) {
    v1::AuditEvent proto;
    if (absl::Status s = EventToProto(event, &proto); !s.ok()) return s;
    std::string actor;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = false;
    if (!google::protobuf::util::MessageToJsonString(proto.actor(), &actor, options).ok()) {
      return absl::InternalError("actor does not convert to JSON");
    }
    std::vector<std::string> cells = {absl::StrCat(event.sequence),
                                      event.id,
                                      CanonicalTime(event.event_time),
                                      CanonicalTime(event.ingest_time),
                                      actor,
                                      event.action,
                                      event.resource_type,
                                      event.resource_id,
                                      event.service,
                                      event.request_id,
                                      event.trace_id,
                                      event.outcome,
                                      event.message,
                                      event.before.value_or(""),
                                      event.after.value_or(""),
                                      event.metadata.value_or(""),
                                      event.prev_hash,
                                      event.hash};
    std::vector<std::string> escaped;
    for (const std::string& cell : cells) escaped.push_back(CsvCell(cell));
    record = absl::StrCat(absl::StrJoin(escaped, ","), "\r\n");
  } else {
    v1::AuditEvent proto;
    if (absl::Status s = EventToProto(event, &proto); !s.ok()) return s;
    if (!google::protobuf::util::MessageToJsonString(proto, &record).ok()) {
      return absl::InternalError("event does not convert to JSON");
    }
    record.push_back('\n');
  }
  auto seal = [this] {
    full_ = std::move(pending_);
    full_events_ = pending_events_;
    pending_.clear();
    pending_events_ = 0;
  };
  if (full_.empty() && pending_events_ > 0 &&
      pending_.size() + record.size() > kMaxExportChunkBytes) {
    seal();
  }
  pending_ += record;
  ++pending_events_;
  if (full_.empty() && pending_.size() >= kMaxExportChunkBytes) seal();
  return absl::OkStatus();
}

std::string ExportWriter::TakeChunk() {
  std::string chunk;
  if (!full_.empty()) {
    chunk = std::move(full_);
    full_.clear();
    taken_ += full_events_;
    full_events_ = 0;
  } else {
    chunk = std::move(pending_);
    pending_.clear();
    taken_ += pending_events_;
    pending_events_ = 0;
  }
  return chunk;
}

}  // namespace backoffice::audit
