#include "services/users/auth/credential_manager.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"
#include "libs/outbox/outbox.h"
#include "libs/pg/with_transaction.h"
#include "services/users/auth/auth_events.h"
#include "services/users/auth/auth_queries.h"
#include "services/users/auth/auth_types.h"
#include "services/users/auth/second_factor.h"
#include "services/users/auth/session_store.h"
#include "services/users/credentials/base32.h"
#include "services/users/credentials/recovery_codes.h"
#include "services/users/credentials/sodium_util.h"
#include "services/users/credentials/totp.h"

namespace backoffice::users {
namespace {

namespace json = boost::json;

struct CredentialUser {
  std::string id;
  std::string email;
  std::string display_name;
  std::string status;
  std::optional<std::string> password_hash;
  bool totp_enabled = false;
  TotpState totp;
  std::optional<std::string> pending_secret;
  std::optional<absl::Time> pending_expires_at;
  LockoutState lockout;
};

absl::StatusOr<CredentialUser> UserFromResult(absl::StatusOr<pg::Result> rows) {
  if (!rows.ok()) {
    return rows.status();
  }
  if (rows->empty()) {
    return absl::NotFoundError("user not found");
  }
  const pg::Row row = (*rows)[0];
  CredentialUser user;
  absl::StatusOr<std::string> id = row.Get<std::string>("id");
  absl::StatusOr<std::string> email = row.Get<std::string>("email");
  absl::StatusOr<std::string> name = row.Get<std::string>("display_name");
  absl::StatusOr<std::string> status = row.Get<std::string>("status");
  absl::StatusOr<std::optional<std::string>> hash =
      row.Get<std::optional<std::string>>("password_hash");
  absl::StatusOr<bool> enabled = row.Get<bool>("totp_enabled");
  absl::StatusOr<std::optional<pg::Bytea>> secret =
      row.Get<std::optional<pg::Bytea>>("totp_secret_encrypted");
  absl::StatusOr<std::optional<int64_t>> last_step =
      row.Get<std::optional<int64_t>>("totp_last_step");
  absl::StatusOr<std::optional<pg::Bytea>> pending =
      row.Get<std::optional<pg::Bytea>>("totp_pending_secret_encrypted");
  absl::StatusOr<std::optional<absl::Time>> pending_expires =
      row.Get<std::optional<absl::Time>>("totp_pending_expires_at");
  absl::StatusOr<LockoutState> lockout = LockoutStore::StateFromRow(row);
  for (const absl::Status& s :
       {id.status(), email.status(), name.status(), status.status(), hash.status(),
        enabled.status(), secret.status(), last_step.status(), pending.status(),
        pending_expires.status(), lockout.status()}) {
    if (!s.ok()) {
      return s;
    }
  }
  user.id = *id;
  user.email = *email;
  user.display_name = *name;
  user.status = *status;
  user.password_hash = *hash;
  user.totp_enabled = *enabled;
  user.totp.sealed_secret = *secret ? (*secret)->data : std::string();
  user.totp.last_step = *last_step;
  if (*pending) {
    user.pending_secret = (*pending)->data;
  }
  user.pending_expires_at = *pending_expires;
  user.lockout = *lockout;
  return user;
}

absl::StatusOr<CredentialUser> LockUser(pg::Transaction& tx, std::string_view user_id) {
  return UserFromResult(tx.Execute(auth_sql::kLockCredentialUser, {user_id}));
}

absl::Status CheckUserId(std::string_view user_id) {
  if (!ids::ParseUuid(user_id).ok()) {
    return absl::InvalidArgumentError("user_id: not a UUID");
  }
  return absl::OkStatus();
}

// The policy names its field "password"; these calls name it "new_password".
absl::Status AsNewPasswordError(const absl::Status& status) {
  absl::string_view message = status.message();
  if (absl::StartsWith(message, "password: ")) {
    message.remove_prefix(10);
  }
  return absl::InvalidArgumentError(absl::StrCat("new_password: ", message));
}

absl::StatusOr<std::vector<std::string>> ReplaceRecoveryCodes(pg::Transaction& tx,
                                                              std::string_view user_id,
                                                              absl::Time now) {
  if (absl::StatusOr<pg::Result> r = tx.Execute(auth_sql::kDeleteRecoveryCodes, {user_id});
      !r.ok()) {
    return r.status();
  }
  RecoveryCodeSet set = GenerateRecoveryCodes(user_id);
  for (const std::string& hash : set.hashes) {
    if (absl::StatusOr<pg::Result> r =
            tx.Execute(auth_sql::kInsertRecoveryCode, {user_id, pg::Bytea{hash}, now});
        !r.ok()) {
      return r.status();
    }
  }
  return set.codes;
}

absl::Status WriteUserEvent(pg::Transaction& tx, std::string_view user_id,
                            std::string_view event_type, json::object metadata, const Actor& actor,
                            absl::Time now) {
  outbox::OutboxEvent event = NewEvent("user", user_id, event_type, actor, now);
  event.metadata = json::serialize(metadata);
  return outbox::AppendToOutbox(tx, event);
}

}  // namespace

CredentialManager::CredentialManager(pg::Pool& pool, const PasswordHasher& hasher,
                                     const PasswordPolicy& policy, LockoutStore& lockouts,
                                     std::shared_ptr<const SecretBox> box,
                                     CredentialManagerOptions options)
    : pool_(pool),
      hasher_(hasher),
      policy_(policy),
      lockouts_(lockouts),
      box_(std::move(box)),
      options_(std::move(options)) {}

absl::Status CredentialManager::CheckPassword(std::string_view user_id, std::string_view password,
                                              std::string_view field, const Actor& actor,
                                              absl::Time now) {
  if (password.empty() || password.size() > PasswordPolicy::kMaxBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::string_view(field.data(), field.size()), ": must be 1 to 1024 bytes"));
  }
  absl::StatusOr<CredentialUser> user;
  {
    absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
    if (!conn.ok()) {
      return conn.status();
    }
    user = UserFromResult((*conn)->Execute(auth_sql::kGetCredentialUser, {user_id}));
  }
  if (!user.ok()) {
    return user.status();
  }
  const LoginAttemptDecision decision = lockouts_.throttle().BeforeAttempt(user->lockout, now);
  if (!decision.allowed) {
    return AccountLockedError(decision.retry_after);
  }
  const bool ok = user->password_hash ? hasher_.Verify(*user->password_hash, password)
                                      : hasher_.VerifyDummy(password);
  if (ok) {
    return absl::OkStatus();
  }
  absl::Status recorded = pg::WithTransaction(pool_, [&](pg::Transaction& tx) {
    return lockouts_.RecordUserFailure(tx, user_id, "wrong_password", "", actor, now).status();
  });
  if (!recorded.ok()) {
    return recorded;
  }
  return absl::UnauthenticatedError(
      absl::StrCat(absl::string_view(field.data(), field.size()), ": wrong password"));
}

absl::Status CredentialManager::SetPassword(std::string_view user_id, std::string_view new_password,
                                            const SetPasswordOptions& options, const Actor& actor,
                                            absl::Time now) {
  if (absl::Status s = CheckUserId(user_id); !s.ok()) {
    return s;
  }
  absl::StatusOr<CredentialUser> user;
  {
    absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
    if (!conn.ok()) {
      return conn.status();
    }
    user = UserFromResult((*conn)->Execute(auth_sql::kGetCredentialUser, {user_id}));
  }
  if (!user.ok()) {
    return user.status();
  }
  if (user->status == "deleted") {
    return absl::FailedPreconditionError("user is deleted");
  }
  if (absl::Status s = policy_.Check(new_password, user->email, user->display_name); !s.ok()) {
    return AsNewPasswordError(s);
  }
  absl::StatusOr<std::string> hash = hasher_.Hash(new_password);
  if (!hash.ok()) {
    return hash.status();
  }
  return pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<CredentialUser> locked = LockUser(tx, user_id);
    if (!locked.ok()) {
      return locked.status();
    }
    if (locked->status == "deleted") {
      return absl::FailedPreconditionError("user is deleted");
    }
    if (absl::StatusOr<pg::Result> r =
            tx.Execute(auth_sql::kSetPassword, {user_id, *hash, now, options.require_change});
        !r.ok()) {
      return r.status();
    }
    int revoked = 0;
    if (options.revoke_sessions) {
      absl::StatusOr<int> n =
          SessionStore::RevokeAllForUser(tx, user_id, kRevokePasswordChanged, actor, now);
      if (!n.ok()) {
        return n.status();
      }
      revoked = *n;
    }
    json::object metadata;
    metadata["by"] = "administrator";
    metadata["require_change"] = options.require_change;
    metadata["sessions_revoked"] = revoked;
    return WriteUserEvent(tx, user_id, "password.changed", std::move(metadata), actor, now);
  });
}

absl::StatusOr<std::string> CredentialManager::ResetPassword(std::string_view user_id,
                                                             const Actor& actor, absl::Time now) {
  // 20 characters from 56 unambiguous letters and digits: about 116 bits.
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  for (int attempt = 0; attempt < 10; ++attempt) {
    std::string password;
    while (password.size() < kTemporaryPasswordLength) {
      for (unsigned char byte : RandomBytes(32)) {
        // Rejection sampling keeps the characters uniform.
        if (byte < 256 - 256 % kAlphabet.size() && password.size() < kTemporaryPasswordLength) {
          password.push_back(kAlphabet[byte % kAlphabet.size()]);
        }
      }
    }
    absl::Status status = SetPassword(
        user_id, password, {.require_change = true, .revoke_sessions = true}, actor, now);
    if (status.ok()) {
      return password;
    }
    if (!absl::StartsWith(status.message(), "new_password: ")) {
      return status;  // not a policy refusal of this random draw
    }
  }
  return absl::InternalError("could not generate a temporary password the policy accepts");
}

absl::Status CredentialManager::ChangePassword(std::string_view user_id,
                                               std::string_view current_password,
                                               std::string_view new_password,
                                               const ChangePasswordOptions& options,
                                               const Actor& actor, absl::Time now) {
  if (absl::Status s = CheckUserId(user_id); !s.ok()) {
    return s;
  }
  if (new_password.empty()) {
    return absl::InvalidArgumentError("new_password: required");
  }
  if (absl::Status s = CheckPassword(user_id, current_password, "current_password", actor, now);
      !s.ok()) {
    return s;
  }
  if (new_password == current_password) {
    return absl::InvalidArgumentError("new_password: must differ from the current password");
  }
  absl::StatusOr<CredentialUser> user;
  {
    absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
    if (!conn.ok()) {
      return conn.status();
    }
    user = UserFromResult((*conn)->Execute(auth_sql::kGetCredentialUser, {user_id}));
  }
  if (!user.ok()) {
    return user.status();
  }
  if (user->status != "active") {
    return absl::FailedPreconditionError("account is not active");
  }
  if (absl::Status s = policy_.Check(new_password, user->email, user->display_name); !s.ok()) {
    return AsNewPasswordError(s);
  }
  absl::StatusOr<std::string> hash = hasher_.Hash(new_password);
  if (!hash.ok()) {
    return hash.status();
  }
  return pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<CredentialUser> locked = LockUser(tx, user_id);
    if (!locked.ok()) {
      return locked.status();
    }
    if (locked->password_hash != user->password_hash) {
      return absl::AbortedError("the password changed meanwhile; try again");
    }
    if (absl::StatusOr<pg::Result> r =
            tx.Execute(auth_sql::kSetPassword, {user_id, *hash, now, false});
        !r.ok()) {
      return r.status();
    }
    int revoked = 0;
    if (options.revoke_other_sessions) {
      absl::StatusOr<int> n = SessionStore::RevokeAllForUser(
          tx, user_id, kRevokePasswordChanged, actor, now,
          options.current_session_id.empty()
              ? std::nullopt
              : std::optional<std::string_view>(options.current_session_id));
      if (!n.ok()) {
        return n.status();
      }
      revoked = *n;
    }
    json::object metadata;
    metadata["by"] = "self";
    metadata["sessions_revoked"] = revoked;
    return WriteUserEvent(tx, user_id, "password.changed", std::move(metadata), actor, now);
  });
}

absl::StatusOr<TotpEnrollment> CredentialManager::EnrollTotp(std::string_view user_id,
                                                             std::string_view password,
                                                             const Actor& actor, absl::Time now) {
  if (absl::Status s = CheckUserId(user_id); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckPassword(user_id, password, "password", actor, now); !s.ok()) {
    return s;
  }
  const std::string secret = Totp::GenerateSecret();
  const absl::Time expires = now + options_.totp_enrollment_lifetime;
  std::string email;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<CredentialUser> user = LockUser(tx, user_id);
    if (!user.ok()) {
      return user.status();
    }
    if (user->totp_enabled) {
      return absl::FailedPreconditionError("TOTP is already on; disable it first");
    }
    email = user->email;
    return tx
        .Execute(auth_sql::kSetPendingTotp,
                 {user_id, pg::Bytea{box_->Seal(secret, user_id)}, expires})
        .status();
  });
  if (!status.ok()) {
    return status;
  }
  absl::StatusOr<std::string> uri = Totp().Uri(options_.totp_issuer, email, secret);
  if (!uri.ok()) {
    return uri.status();
  }
  return TotpEnrollment{
      .secret = Base32Encode(secret), .otpauth_uri = *std::move(uri), .expire_time = expires};
}

absl::StatusOr<std::vector<std::string>> CredentialManager::VerifyTotp(
    std::string_view user_id, std::string_view code, std::string_view current_session_id,
    const Actor& actor, absl::Time now) {
  if (absl::Status s = CheckUserId(user_id); !s.ok()) {
    return s;
  }
  std::vector<std::string> codes;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<CredentialUser> user = LockUser(tx, user_id);
    if (!user.ok()) {
      return user.status();
    }
    if (user->totp_enabled) {
      return absl::FailedPreconditionError("TOTP is already on");
    }
    if (!user->pending_secret || !user->pending_expires_at || now >= *user->pending_expires_at) {
      return absl::FailedPreconditionError("no pending TOTP enrollment, or it expired");
    }
    absl::StatusOr<std::string> secret = box_->Open(*user->pending_secret, user_id);
    if (!secret.ok()) {
      return secret.status();
    }
    std::optional<int64_t> step = Totp().Verify(*secret, code, now, std::nullopt);
    if (!step) {
      return absl::InvalidArgumentError("code: wrong code");
    }
    if (absl::StatusOr<pg::Result> r = tx.Execute(auth_sql::kEnableTotp, {user_id, *step, now});
        !r.ok()) {
      return r.status();
    }
    absl::StatusOr<std::vector<std::string>> fresh = ReplaceRecoveryCodes(tx, user_id, now);
    if (!fresh.ok()) {
      return fresh.status();
    }
    codes = *std::move(fresh);
    absl::StatusOr<int> revoked = SessionStore::RevokeAllForUser(
        tx, user_id, kRevokeTotpEnabled, actor, now,
        current_session_id.empty() ? std::nullopt
                                   : std::optional<std::string_view>(current_session_id));
    if (!revoked.ok()) {
      return revoked.status();
    }
    json::object metadata;
    metadata["recovery_codes"] = codes.size();
    metadata["sessions_revoked"] = *revoked;
    return WriteUserEvent(tx, user_id, "user.totp_enabled", std::move(metadata), actor, now);
  });
  if (!status.ok()) {
    return status;
  }
  return codes;
}

absl::Status CredentialManager::DisableTotp(std::string_view user_id, const TotpDisableProof& proof,
                                            const Actor& actor, absl::Time now) {
  if (absl::Status s = CheckUserId(user_id); !s.ok()) {
    return s;
  }
  if (proof.kind == TotpDisableProof::Kind::kPassword) {
    if (absl::Status s = CheckPassword(user_id, proof.value, "password", actor, now); !s.ok()) {
      return s;
    }
  }
  absl::Status outcome;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    outcome = absl::OkStatus();
    absl::StatusOr<CredentialUser> user = LockUser(tx, user_id);
    if (!user.ok()) {
      return user.status();
    }
    if (!user->totp_enabled) {
      return absl::FailedPreconditionError("TOTP is off");
    }
    if (proof.kind == TotpDisableProof::Kind::kTotpCode) {
      const LoginAttemptDecision decision = lockouts_.throttle().BeforeAttempt(user->lockout, now);
      if (!decision.allowed) {
        return AccountLockedError(decision.retry_after);
      }
      absl::StatusOr<bool> accepted =
          ConsumeSecondFactor(tx, user_id, *box_, user->totp,
                              {.method = SecondFactorMethod::kTotp, .code = proof.value}, now);
      if (!accepted.ok()) {
        return accepted.status();
      }
      if (!*accepted) {
        outcome = absl::UnauthenticatedError("totp_code: wrong code");
        return lockouts_.RecordUserFailure(tx, user_id, "wrong_totp", "", actor, now).status();
      }
    }
    if (absl::StatusOr<pg::Result> r = tx.Execute(auth_sql::kDisableTotp, {user_id, now});
        !r.ok()) {
      return r.status();
    }
    if (absl::StatusOr<pg::Result> r = tx.Execute(auth_sql::kDeleteRecoveryCodes, {user_id});
        !r.ok()) {
      return r.status();
    }
    json::object metadata;
    metadata["by"] =
        proof.kind == TotpDisableProof::Kind::kAdministrator ? "administrator" : "self";
    return WriteUserEvent(tx, user_id, "user.totp_disabled", std::move(metadata), actor, now);
  });
  if (!status.ok()) {
    return status;
  }
  return outcome;
}

absl::StatusOr<std::vector<std::string>> CredentialManager::RegenerateRecoveryCodes(
    std::string_view user_id, std::string_view totp_code, const Actor& actor, absl::Time now) {
  if (absl::Status s = CheckUserId(user_id); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::vector<std::string>> outcome;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<CredentialUser> user = LockUser(tx, user_id);
    if (!user.ok()) {
      return user.status();
    }
    if (!user->totp_enabled) {
      return absl::FailedPreconditionError("TOTP is off");
    }
    const LoginAttemptDecision decision = lockouts_.throttle().BeforeAttempt(user->lockout, now);
    if (!decision.allowed) {
      return AccountLockedError(decision.retry_after);
    }
    absl::StatusOr<bool> accepted = ConsumeSecondFactor(
        tx, user_id, *box_, user->totp,
        {.method = SecondFactorMethod::kTotp, .code = std::string(totp_code)}, now);
    if (!accepted.ok()) {
      return accepted.status();
    }
    if (!*accepted) {
      outcome = absl::UnauthenticatedError("totp_code: wrong code");
      return lockouts_.RecordUserFailure(tx, user_id, "wrong_totp", "", actor, now).status();
    }
    absl::StatusOr<std::vector<std::string>> codes = ReplaceRecoveryCodes(tx, user_id, now);
    if (!codes.ok()) {
      return codes.status();
    }
    outcome = *std::move(codes);
    json::object metadata;
    metadata["recovery_codes"] = outcome->size();
    return WriteUserEvent(tx, user_id, "user.recovery_codes_regenerated", std::move(metadata),
                          actor, now);
  });
  if (!status.ok()) {
    return status;
  }
  return outcome;
}

}  // namespace backoffice::users
