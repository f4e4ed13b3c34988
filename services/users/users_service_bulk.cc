// Bulk CSV handlers of UsersService: ImportUsers (client stream) and ExportUsers (server stream).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/users/store/user_store.h"
#include "services/users/user_export.h"
#include "services/users/user_import.h"
#include "services/users/user_mapping.h"
#include "services/users/users_service.h"

namespace backoffice::users {

grpc::Status UsersServiceImpl::ImportUsers(grpc::ServerContext* context,
                                           grpc::ServerReader<v1::ImportUsersRequest>* reader,
                                           v1::ImportUsersResponse* response) {
  return Handle(*context, kPermUsersImport, "", [&](const CallScope& call) -> absl::Status {
    v1::ImportUsersRequest message;
    if (!reader->Read(&message) || !message.has_options()) {
      return absl::InvalidArgumentError("options: the stream must start with the options");
    }
    const v1::ImportUsersOptions options = message.options();
    // The whole file is collected before anything is written, so a file over the limits changes
    // nothing (and chunks may split rows anywhere).
    std::string csv;
    while (reader->Read(&message)) {
      if (!message.has_csv_chunk()) {
        return absl::InvalidArgumentError(
            "options: sent twice; every message after the first carries csv_chunk");
      }
      if (message.csv_chunk().size() > kMaxImportChunkBytes) {
        return absl::InvalidArgumentError("csv_chunk: at most 1 MiB per message");
      }
      if (csv.size() + message.csv_chunk().size() > kMaxImportBytes) {
        return absl::ResourceExhaustedError("csv_chunk: the file is larger than 10 MiB");
      }
      csv.append(message.csv_chunk());
    }
    return ImportUsersCsv(deps_.store, options, csv, call.actor, response,
                          [this] { return AdminCheck(); });
  });
}

grpc::Status UsersServiceImpl::ExportUsers(grpc::ServerContext* context,
                                           const v1::ExportUsersRequest* request,
                                           grpc::ServerWriter<v1::ExportUsersResponse>* writer) {
  return Handle(*context, kPermUsersExport, "", [&](const CallScope&) -> absl::Status {
    absl::StatusOr<ListUsersRequest> list = ExportFilterFromProto(*request);
    if (!list.ok()) {
      return list.status();
    }
    absl::StatusOr<std::vector<ExportColumn>> columns = ExportColumnsFromProto(request->columns());
    if (!columns.ok()) {
      return columns.status();
    }
    list->page_size = kMaxPageSize;
    // Every page from one snapshot: the file is the accounts as of one moment.
    absl::StatusOr<std::unique_ptr<UserStore::ListSnapshot>> snapshot =
        deps_.store.OpenListSnapshot();
    if (!snapshot.ok()) return snapshot.status();
    v1::ExportUsersResponse chunk;
    int64_t rows = 0;
    auto flush = [&]() -> absl::Status {
      if (chunk.csv_chunk().empty()) {
        return absl::OkStatus();
      }
      chunk.set_rows_written(rows);
      if (!writer->Write(chunk)) {
        return absl::CancelledError("the client went away");
      }
      chunk.clear_csv_chunk();
      return absl::OkStatus();
    };
    AppendExportHeader(*columns, *chunk.mutable_csv_chunk());
    std::string record;
    for (bool first = true;; first = false) {
      if (context->IsCancelled()) {
        return absl::CancelledError("the call was cancelled");
      }
      list->total_count_mode = first ? TotalCountMode::kDefault : TotalCountMode::kNone;
      absl::StatusOr<ListUsersPage> page = (*snapshot)->List(*list);
      if (!page.ok()) {
        return page.status();
      }
      if (first && page->total_size > kMaxExportRows) {
        return absl::FailedPreconditionError("more than 1,000,000 users match; narrow the filters");
      }
      for (const User& user : page->users) {
        if (rows == kMaxExportRows) {
          return absl::FailedPreconditionError(
              "more than 1,000,000 users match; narrow the filters");
        }
        record.clear();
        AppendExportRecord(user, *columns, record);
        if (chunk.csv_chunk().size() + record.size() > kMaxExportChunkBytes) {
          if (absl::Status sent = flush(); !sent.ok()) {
            return sent;
          }
        }
        chunk.mutable_csv_chunk()->append(record);
        ++rows;
      }
      if (page->next_page_token.empty()) {
        break;
      }
      list->page_token = page->next_page_token;
    }
    return flush();
  });
}

}  // namespace backoffice::users
