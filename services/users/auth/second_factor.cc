#include "services/users/auth/second_factor.h"

#include <vector>

#include "libs/pg/params.h"
#include "services/users/auth/auth_queries.h"
#include "services/users/credentials/recovery_codes.h"
#include "services/users/credentials/totp.h"

namespace backoffice::users {

absl::StatusOr<bool> ConsumeSecondFactor(pg::Transaction& tx, std::string_view user_id,
                                         const SecretBox& box, const TotpState& totp,
                                         const SecondFactor& factor, absl::Time now) {
  if (factor.method == SecondFactorMethod::kTotp) {
    absl::StatusOr<std::string> secret = box.Open(totp.sealed_secret, user_id);
    if (!secret.ok()) {
      return secret.status();
    }
    std::optional<int64_t> step = Totp().Verify(*secret, factor.code, now, totp.last_step);
    if (!step) {
      return false;
    }
    absl::StatusOr<pg::Result> r = tx.Execute(auth_sql::kSetTotpLastStep, {user_id, *step});
    if (!r.ok()) {
      return r.status();
    }
    return true;
  }
  absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kUnusedRecoveryCodes, {user_id});
  if (!rows.ok()) {
    return rows.status();
  }
  std::vector<std::string> hashes;
  for (const pg::Row& row : *rows) {
    absl::StatusOr<pg::Bytea> hash = row.Get<pg::Bytea>(0);
    if (!hash.ok()) {
      return hash.status();
    }
    hashes.push_back(std::move(hash->data));
  }
  std::optional<size_t> index = FindRecoveryCode(factor.code, user_id, hashes);
  if (!index) {
    return false;
  }
  absl::StatusOr<pg::Result> used =
      tx.Execute(auth_sql::kUseRecoveryCode, {user_id, pg::Bytea{hashes[*index]}, now});
  if (!used.ok()) {
    return used.status();
  }
  return used->affected_rows() == 1;
}

}  // namespace backoffice::users
