// JSON for the audit REST API (events, chain verification, checkpoints) and the mapping of its
// list and export queries onto the audit service's calls. Member names are lowerCamelCase; every
// record has `id`.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bff/http/json_body.h"
#include "bff/http/list_query.h"
#include "proto/audit/v1/audit.pb.h"

namespace backoffice::bff::app {

/// "user", "service", "system", "anonymous" (the names of the canonical encoding), or
/// "unspecified".
std::string_view ActorTypeName(common::v1::ActorType type);

/// "success", "failure", "denied", or "unspecified".
std::string_view OutcomeName(audit::v1::Outcome outcome);

/// An event: id, sequence, eventTime, ingestTime, actor {type, id, displayName, ipAddress,
/// userAgent, onBehalfOfId}, action, resourceType, resourceId, service, requestId, traceId,
/// outcome, message, before, after, metadata (objects, null when absent), prevHash, hash.
boost::json::object AuditEventToJson(const audit::v1::AuditEvent& event);

/// A verification: intact, startSequence, endSequence, verifiedCount, and when broken
/// firstBrokenSequence, reason, expectedHash, storedHash (null when intact).
boost::json::object VerifyResultToJson(const audit::v1::VerifyChainResponse& result);

/// A signed checkpoint: id (= sequence), sequence, hash, signTime, signature and publicKey
/// (standard base64, as the proto3 JSON mapping writes bytes), keyId.
boost::json::object CheckpointToJson(const audit::v1::Checkpoint& checkpoint);

// ---- Lists and exports --------------------------------------------------------------------------

/// GET /api/audit: sort by `eventTime` (aliases `time`, and `id`: react-admin's default sort;
/// one key, newest first by default); filters `actorId`, `actorType`
/// (user/service/system/anonymous), `action` (repeated, at most 20; `users.*` matches a prefix),
/// `resourceType`, `resourceId`, `requestId`, `service`, `outcome` (success/failure/denied), all
/// exact, and `eventTime_gte` / `eventTime_lte` (alias `time_gte` / `time_lte`; RFC 3339 or
/// YYYY-MM-DD, both inclusive); no `q` (the service has no text search); pages of at most 500.
const http::ListQuerySpec& AuditListSpec();

/// The filters, sort and page of a list query onto QueryEvents. INVALID_ARGUMENT with a field
/// error naming the query parameter for anything the service cannot do.
absl::Status ApplyAuditQuery(const http::ListQuery& query, audit::v1::QueryEventsRequest& out);

/// The filters and sort of a list query onto ExportEvents (paging is ignored: an export is
/// everything that matches).
absl::Status ApplyAuditExport(const http::ListQuery& query, audit::v1::ExportEventsRequest& out);

/// The `format` parameter of an export (`csv`, the default, or `ndjson`), taken out of the query
/// string: `rest` receives the other parameters for ParseListQuery. INVALID_ARGUMENT naming
/// `format` for another value or a repeated one.
absl::StatusOr<audit::v1::ExportFormat> TakeExportFormat(std::string_view query, std::string& rest);

/// The range of GET /api/audit/verify: `startSequence` and `endSequence` query parameters
/// (non-negative integers; absent = the whole chain). INVALID_ARGUMENT naming the parameter.
absl::Status VerifyRangeFromQuery(std::string_view query, audit::v1::VerifyChainRequest& out);

/// The body of POST /api/audit/verify: `startSequence`, `endSequence` (optional integers).
const std::vector<http::FieldSpec>& VerifyBodySchema();

/// Fills the range from a body that passed VerifyBodySchema; INVALID_ARGUMENT naming a negative
/// member.
absl::Status VerifyRangeFromBody(const boost::json::object& body,
                                 audit::v1::VerifyChainRequest& out);

}  // namespace backoffice::bff::app
