#include "services/users/user_import.h"

#include <openssl/sha.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/users/csv.h"
#include "services/users/store/user_validation.h"

namespace backoffice::users {
namespace {

absl::string_view AbslView(std::string_view text) { return {text.data(), text.size()}; }

// Columns an import reads, and the export-only ones it accepts and ignores (so an export can be
// re-imported).
constexpr std::string_view kImportColumns[] = {"email",          "display_name", "status",
                                               "email_verified", "phone_number", "locale",
                                               "time_zone",      "attributes"};
constexpr std::string_view kIgnoredColumns[] = {"id", "create_time", "update_time",
                                                "last_login_time"};

bool Contains(absl::Span<const std::string_view> names, std::string_view name) {
  for (std::string_view candidate : names) {
    if (candidate == name) {
      return true;
    }
  }
  return false;
}

// A row's values by column name; absent columns read as "".
struct Row {
  const absl::flat_hash_map<std::string, size_t>* columns;
  const std::vector<std::string>* fields;

  std::string Get(std::string_view name) const {
    auto it = columns->find(AbslView(name));
    return it == columns->end() ? "" : std::string(RestoreFormula((*fields)[it->second]));
  }
  bool Has(std::string_view name) const { return columns->contains(AbslView(name)); }
};

// A row-level problem: "<column>: <problem>".
struct RowError {
  std::string message;
};

// "user.display_name: ..." from the store or the validators becomes "display_name: ...".
std::string ColumnMessage(const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  if (absl::StartsWith(AbslView(message), "user.")) {
    message.remove_prefix(5);
  }
  return std::string(message);
}

// Row-level outcomes of the store: bad values, clashes, states. Anything else ends the import.
bool IsRowError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ||
         status.code() == absl::StatusCode::kAlreadyExists ||
         status.code() == absl::StatusCode::kFailedPrecondition ||
         status.code() == absl::StatusCode::kAborted ||
         status.code() == absl::StatusCode::kNotFound;
}

std::string RowRequestId(std::string_view import_request_id, int row) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(import_request_id.data()), import_request_id.size(),
         digest);
  std::string hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
  return absl::StrCat("import:", hex.substr(0, 32), ":", row);
}

// The account that has `email` (case-insensitively), deleted ones included, or nullopt.
absl::StatusOr<std::optional<User>> FindByEmail(UserStore& store, const std::string& email) {
  ListUsersRequest request;
  // The free-text filter matches substrings; keep the exact match only.
  request.query = email.substr(0, kMaxQueryChars);
  request.statuses = {UserStatus::kActive, UserStatus::kDisabled, UserStatus::kDeleted};
  request.page_size = kMaxPageSize;
  request.total_count_mode = TotalCountMode::kNone;
  absl::StatusOr<ListUsersPage> page = store.List(request);
  if (!page.ok()) {
    return page.status();
  }
  const std::string wanted = absl::AsciiStrToLower(email);
  for (User& user : page->users) {
    if (absl::AsciiStrToLower(user.email) == wanted) {
      return std::optional<User>(std::move(user));
    }
  }
  return std::optional<User>();
}

class Importer {
 public:
  Importer(UserStore& store, const v1::ImportUsersOptions& options, const Actor& actor,
           v1::ImportUsersResponse* response,
           const std::function<absl::StatusOr<LastAdminCheck>()>& admin_check)
      : store_(store),
        options_(options),
        actor_(actor),
        response_(response),
        admin_check_(admin_check) {}

  absl::Status Run(std::string_view csv) {
    std::vector<CsvRecord> records = ParseCsv(csv);
    if (records.empty()) {
      return absl::InvalidArgumentError("csv_chunk: the file is empty; it needs a header row");
    }
    if (absl::Status header = ReadHeader(records[0]); !header.ok()) {
      return header;
    }
    if (records.size() - 1 > static_cast<size_t>(kMaxImportRows)) {
      return absl::ResourceExhaustedError(
          absl::StrCat("csv_chunk: more than ", kMaxImportRows, " data rows"));
    }
    response_->set_dry_run(options_.dry_run());
    for (size_t i = 1; i < records.size(); ++i) {
      if (absl::Status row = ImportRow(static_cast<int>(i), records[i]); !row.ok()) {
        return row;
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ReadHeader(const CsvRecord& header) {
    if (!header.error.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("csv_chunk: header row: ", header.error));
    }
    for (size_t i = 0; i < header.fields.size(); ++i) {
      std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header.fields[i]));
      if (!Contains(kImportColumns, name) && !Contains(kIgnoredColumns, name)) {
        return absl::InvalidArgumentError(
            absl::StrCat("csv_chunk: header column ", i + 1, " is not a known column"));
      }
      if (!columns_.emplace(name, i).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("csv_chunk: header column \"", name, "\" appears twice"));
      }
    }
    if (!columns_.contains("email")) {
      return absl::InvalidArgumentError("csv_chunk: the header has no \"email\" column");
    }
    width_ = header.fields.size();
    return absl::OkStatus();
  }

  absl::Status ImportRow(int number, const CsvRecord& record) {
    v1::ImportRowResult* result = response_->add_rows();
    result->set_row(number);
    response_->set_total_rows(response_->total_rows() + 1);
    Row row{&columns_, &record.fields};
    if (record.error.empty() && record.fields.size() == width_) {
      result->set_email(row.Get("email"));
    }
    absl::StatusOr<std::optional<RowError>> outcome = Apply(number, record, row, *result);
    if (!outcome.ok()) {
      return outcome.status();
    }
    if (outcome->has_value()) {
      result->set_outcome(v1::IMPORT_ROW_OUTCOME_FAILED);
      result->set_error((*outcome)->message);
      result->clear_user_id();
    }
    switch (result->outcome()) {
      case v1::IMPORT_ROW_OUTCOME_CREATED:
        response_->set_created_count(response_->created_count() + 1);
        break;
      case v1::IMPORT_ROW_OUTCOME_UPDATED:
        response_->set_updated_count(response_->updated_count() + 1);
        break;
      case v1::IMPORT_ROW_OUTCOME_SKIPPED:
        response_->set_skipped_count(response_->skipped_count() + 1);
        break;
      default:
        response_->set_failed_count(response_->failed_count() + 1);
        break;
    }
    return absl::OkStatus();
  }

  // Sets the result's outcome and user id; a RowError for a failed row; a Status to stop.
  absl::StatusOr<std::optional<RowError>> Apply(int number, const CsvRecord& record, const Row& row,
                                                v1::ImportRowResult& result) {
    if (!record.error.empty()) {
      return RowError{absl::StrCat("row: malformed CSV (", record.error, ")")};
    }
    if (record.fields.size() != width_) {
      return RowError{
          absl::StrCat("row: has ", record.fields.size(), " fields; the header has ", width_)};
    }
    absl::StatusOr<std::string> email = NormalizeEmail(row.Get("email"), "email");
    if (!email.ok()) {
      return RowError{std::string(email.status().message())};
    }
    std::string key = absl::AsciiStrToLower(*email);
    if (auto [it, inserted] = seen_emails_.emplace(key, number); !inserted) {
      return RowError{absl::StrCat("email: duplicate of row ", it->second)};
    }
    std::optional<UserStatus> status;
    if (std::string text = absl::AsciiStrToLower(row.Get("status")); text == "active") {
      status = UserStatus::kActive;
    } else if (text == "disabled") {
      status = UserStatus::kDisabled;
    } else if (!text.empty()) {
      return RowError{"status: must be active or disabled"};
    }
    std::optional<bool> verified;
    if (std::string text = absl::AsciiStrToLower(row.Get("email_verified")); text == "true") {
      verified = true;
    } else if (text == "false") {
      verified = false;
    } else if (!text.empty()) {
      return RowError{"email_verified: must be true or false"};
    }
    UserFields fields{.email = *email,
                      .display_name = row.Get("display_name"),
                      .email_verified = verified.value_or(false),
                      .phone_number = row.Get("phone_number"),
                      .locale = row.Get("locale"),
                      .time_zone = row.Get("time_zone"),
                      .attributes = row.Get("attributes")};

    const bool upsert = options_.mode() == v1::IMPORT_MODE_UPSERT;
    std::optional<User> existing;
    if (upsert || options_.dry_run()) {
      absl::StatusOr<std::optional<User>> found = FindByEmail(store_, *email);
      if (!found.ok()) {
        return found.status();
      }
      existing = *std::move(found);
    }
    if (existing && !upsert) {
      result.set_outcome(v1::IMPORT_ROW_OUTCOME_SKIPPED);
      result.set_user_id(existing->id);
      return std::nullopt;
    }
    if (existing) {
      return Update(*existing, fields, row, verified.has_value(), status, result);
    }
    return Create(number, fields, status, result);
  }

  absl::StatusOr<std::optional<RowError>> Create(int number, const UserFields& fields,
                                                 std::optional<UserStatus> status,
                                                 v1::ImportRowResult& result) {
    if (options_.dry_run()) {
      absl::StatusOr<UserFields> normalized = NormalizeNewUserFields(fields);
      if (!normalized.ok()) {
        return RowError{ColumnMessage(normalized.status())};
      }
      result.set_outcome(v1::IMPORT_ROW_OUTCOME_CREATED);
      return std::nullopt;
    }
    NewUser user{.fields = fields};
    if (!options_.request_id().empty()) {
      user.request_id = RowRequestId(options_.request_id(), number);
    }
    absl::StatusOr<User> created = store_.Create(user, actor_);
    if (!created.ok()) {
      if (created.status().code() == absl::StatusCode::kAlreadyExists &&
          absl::StartsWith(created.status().message(), "user.email:")) {
        result.set_outcome(v1::IMPORT_ROW_OUTCOME_SKIPPED);
        return std::nullopt;
      }
      if (created.status().code() == absl::StatusCode::kAlreadyExists) {
        return RowError{"row: differs from the row of the first import with this request_id"};
      }
      if (IsRowError(created.status())) {
        return RowError{ColumnMessage(created.status())};
      }
      return created.status();
    }
    result.set_user_id(created->id);
    result.set_outcome(v1::IMPORT_ROW_OUTCOME_CREATED);
    if (status == UserStatus::kDisabled && created->status == UserStatus::kActive) {
      absl::StatusOr<User> disabled = store_.SetStatus(
          created->id, UserStatus::kDisabled, "imported as disabled", std::nullopt, actor_);
      if (!disabled.ok()) {
        return IsRowError(disabled.status()) ? absl::StatusOr<std::optional<RowError>>(
                                                   RowError{ColumnMessage(disabled.status())})
                                             : disabled.status();
      }
    }
    return std::nullopt;
  }

  // UPSERT of an existing account: the row's non-empty cells replace the values.
  absl::StatusOr<std::optional<RowError>> Update(const User& existing, const UserFields& fields,
                                                 const Row& row, bool has_verified,
                                                 std::optional<UserStatus> status,
                                                 v1::ImportRowResult& result) {
    result.set_user_id(existing.id);
    if (existing.status == UserStatus::kDeleted) {
      return RowError{"email: belongs to a deleted account"};
    }
    UserUpdate update{.id = existing.id, .fields = fields};
    for (std::string_view column :
         {"display_name", "phone_number", "locale", "time_zone", "attributes"}) {
      if (!row.Get(column).empty()) {
        update.update_mask.emplace_back(column);
      }
    }
    if (has_verified) {
      update.update_mask.emplace_back("email_verified");
    }
    const bool status_changes = status.has_value() && *status != existing.status;
    if (options_.dry_run()) {
      if (absl::Status valid = ValidateMasked(update); !valid.ok()) {
        return RowError{ColumnMessage(valid)};
      }
      result.set_outcome(update.update_mask.empty() && !status_changes
                             ? v1::IMPORT_ROW_OUTCOME_SKIPPED
                             : v1::IMPORT_ROW_OUTCOME_UPDATED);
      return std::nullopt;
    }
    bool changed = false;
    if (!update.update_mask.empty()) {
      absl::StatusOr<User> updated = store_.Update(update, actor_);
      if (!updated.ok()) {
        return IsRowError(updated.status()) ? absl::StatusOr<std::optional<RowError>>(
                                                  RowError{ColumnMessage(updated.status())})
                                            : updated.status();
      }
      changed = updated->version != existing.version;
    }
    if (status_changes) {
      LastAdminCheck admins;
      if (*status == UserStatus::kDisabled) {
        absl::StatusOr<LastAdminCheck> fetched = Admins();
        if (!fetched.ok()) return fetched.status();
        admins = *std::move(fetched);
      }
      absl::StatusOr<User> set = store_.SetStatus(
          existing.id, *status, *status == UserStatus::kDisabled ? "imported as disabled" : "",
          std::nullopt, actor_, admins);
      if (!set.ok()) {
        return IsRowError(set.status())
                   ? absl::StatusOr<std::optional<RowError>>(RowError{ColumnMessage(set.status())})
                   : set.status();
      }
      changed = true;
    }
    result.set_outcome(changed ? v1::IMPORT_ROW_OUTCOME_UPDATED : v1::IMPORT_ROW_OUTCOME_SKIPPED);
    return std::nullopt;
  }

  // The validation Update would run on the masked fields, without writing.
  static absl::Status ValidateMasked(const UserUpdate& update) {
    for (const std::string& field : update.update_mask) {
      absl::Status status;
      if (field == "display_name") {
        status = NormalizeDisplayName(update.fields.display_name).status();
      } else if (field == "phone_number") {
        status = ValidatePhoneNumber(update.fields.phone_number);
      } else if (field == "locale") {
        status = ValidateLocale(update.fields.locale);
      } else if (field == "time_zone") {
        status = ValidateTimeZone(update.fields.time_zone);
      } else if (field == "attributes") {
        status = NormalizeAttributes(update.fields.attributes).status();
      }
      if (!status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }

  UserStore& store_;
  const v1::ImportUsersOptions& options_;
  const Actor& actor_;
  v1::ImportUsersResponse* response_;
  absl::flat_hash_map<std::string, size_t> columns_;
  // The last-admin rule's input, asked of admin_check_ at the first disabling row only.
  absl::StatusOr<LastAdminCheck> Admins() {
    if (!admin_check_) return LastAdminCheck{};
    if (!admins_.has_value()) {
      absl::StatusOr<LastAdminCheck> fetched = admin_check_();
      if (!fetched.ok()) return fetched.status();
      admins_ = *std::move(fetched);
    }
    return *admins_;
  }

  size_t width_ = 0;
  absl::flat_hash_map<std::string, int> seen_emails_;
  const std::function<absl::StatusOr<LastAdminCheck>()>& admin_check_;
  std::optional<LastAdminCheck> admins_;
};

}  // namespace

absl::Status ImportUsersCsv(UserStore& store, const v1::ImportUsersOptions& options,
                            std::string_view csv, const Actor& actor,
                            v1::ImportUsersResponse* response,
                            const std::function<absl::StatusOr<LastAdminCheck>()>& admin_check) {
  if (csv.size() > kMaxImportBytes) {
    return absl::ResourceExhaustedError("csv_chunk: the file is larger than 10 MiB");
  }
  if (options.request_id().size() > static_cast<size_t>(kMaxRequestIdBytes)) {
    return absl::InvalidArgumentError("options.request_id: must be at most 128 bytes");
  }
  if (options.mode() != v1::IMPORT_MODE_UNSPECIFIED &&
      options.mode() != v1::IMPORT_MODE_CREATE_ONLY && options.mode() != v1::IMPORT_MODE_UPSERT) {
    return absl::InvalidArgumentError("options.mode: unknown value");
  }
  return Importer(store, options, actor, response, admin_check).Run(csv);
}

}  // namespace backoffice::users
