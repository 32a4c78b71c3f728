#include "plugwatch/devices/tapo/openssl_util.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <stdexcept>
#include <string>

namespace plugwatch::tapo::internal {
namespace {

const EVP_MD* FetchMd(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  Check(md != nullptr, name);
  return md;
}

}  // namespace

const EVP_MD* Md5() {
  static const EVP_MD* md = FetchMd("MD5");
  return md;
}
const EVP_MD* Sha1() {
  static const EVP_MD* md = FetchMd("SHA1");
  return md;
}
const EVP_MD* Sha256() {
  static const EVP_MD* md = FetchMd("SHA256");
  return md;
}
const EVP_CIPHER* Aes128Cbc() {
  static const EVP_CIPHER* cipher = [] {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
    Check(c != nullptr, "fetch AES-128-CBC");
    return c;
  }();
  return cipher;
}

void CipherCtxFree::operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
void MdCtxFree::operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
void PkeyFree::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
void PkeyCtxFree::operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }

void Check(bool ok, const char* what) {
  if (ok) return;
  std::string message = std::string("OpenSSL ") + what;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    message += ": ";
    message += buf;
  }
  throw std::runtime_error(message);
}

CipherCtxPtr NewAesCtx(const unsigned char* key16, bool encrypt, bool padding) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  Check(ctx != nullptr, "EVP_CIPHER_CTX_new");
  Check(EVP_CipherInit_ex2(ctx.get(), Aes128Cbc(), key16, nullptr, encrypt ? 1 : 0, nullptr) == 1,
        "AES key setup");
  EVP_CIPHER_CTX_set_padding(ctx.get(), padding ? 1 : 0);
  return ctx;
}

EVP_CIPHER_CTX* ThreadAesCtx(const unsigned char* key16, const unsigned char* iv16, bool encrypt,
                             bool padding) {
  thread_local CipherCtxPtr contexts[2][2];  // [encrypt][padding]
  // Without a cipher, OpenSSL keeps the context's provider state and only
  // sets the key schedule, the IV and the partial-block state afresh.
  CipherCtxPtr& ctx = contexts[encrypt ? 1 : 0][padding ? 1 : 0];
  if (!ctx) ctx = NewAesCtx(key16, encrypt, padding);
  Check(EVP_CipherInit_ex2(ctx.get(), nullptr, key16, iv16, encrypt ? 1 : 0, nullptr) == 1,
        "AES key and IV");
  return ctx.get();
}

EVP_MD_CTX* ThreadMdCtx() {
  thread_local const MdCtxPtr ctx = [] {
    MdCtxPtr c(EVP_MD_CTX_new());
    Check(c != nullptr, "EVP_MD_CTX_new");
    return c;
  }();
  return ctx.get();
}

}  // namespace plugwatch::tapo::internal
