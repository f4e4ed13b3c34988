#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

namespace backoffice::jwt::internal {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* pkey) const;
};
struct EvpPkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const;
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const;
};
struct BignumDeleter {
  void operator()(BIGNUM* bn) const;
};
struct BioDeleter {
  void operator()(BIO* bio) const;
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

/// Pops this thread's OpenSSL error queue and returns "<what>: <first error>" (or just <what>).
/// Always leaves the queue empty, so an old error never shows up in a later operation.
std::string OpenSslError(std::string_view what);

/// Discards this thread's OpenSSL error queue.
void ClearOpenSslErrors();

/// The big-endian bytes of `bn`, padded on the left with zeros to `width` bytes if given.
std::string BignumBytes(const BIGNUM* bn, int width = 0);

/// SHA-256 of `data`, 32 bytes. Uses a digest implementation fetched once per process.
std::string Sha256(std::string_view data);

/// The SHA-256 implementation fetched once (never null).
const EVP_MD* Sha256Md();

}  // namespace backoffice::jwt::internal
