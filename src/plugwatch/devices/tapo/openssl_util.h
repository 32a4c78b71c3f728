// Internal to the Tapo codec: OpenSSL algorithm handles fetched once per
// process, owning pointers for OpenSSL objects, and the check that turns an
// OpenSSL failure (a bug or out of memory, never bad input) into an exception.
// Thread-safe. Not for use outside devices/tapo.
#pragma once

#include <openssl/types.h>

#include <memory>

namespace plugwatch::tapo::internal {

// Process-wide algorithm objects (explicit fetches, so OpenSSL does not look
// them up again on every Init call). Never freed: they must outlive any
// object that might still use them while the process exits.
const EVP_MD* Md5();
const EVP_MD* Sha1();
const EVP_MD* Sha256();
const EVP_CIPHER* Aes128Cbc();

// Throws std::runtime_error("OpenSSL <what>: <error queue>") when !ok.
void Check(bool ok, const char* what);

// Deleters defined out of line so that headers need only <openssl/types.h>.
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const;
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const;
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const;
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const;
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// A cipher context set up for AES-128-CBC in one direction. Padding: PKCS#7
// when `padding`, else none.
CipherCtxPtr NewAesCtx(const unsigned char* key16, bool encrypt, bool padding);

// The calling thread's AES-128-CBC context for one direction and padding
// mode, set to `key16` and `iv16` for one message. For objects that encrypt
// with many different keys on one thread (a KLAP session per plug): they keep
// a 16-byte key instead of their own contexts (~1.2 KB of OpenSSL state per
// session), and pay a key schedule per message. Setting a key without a
// cipher reuses the context's provider state: no allocation after the first
// call on a thread. Valid until the next call on the same thread.
EVP_CIPHER_CTX* ThreadAesCtx(const unsigned char* key16, const unsigned char* iv16, bool encrypt,
                             bool padding);
// The calling thread's digest context, for one digest at a time.
EVP_MD_CTX* ThreadMdCtx();

}  // namespace plugwatch::tapo::internal
