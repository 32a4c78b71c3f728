// Error and Result<T>: the one way expected failures travel through plugwatch.
//
// An Error carries a machine-readable code (std::error_code in the plugwatch
// category) and a context string written for a system administrator: what went
// wrong, where, and what to do ("tapo[washer] 192.168.1.50: handshake1: HTTP
// 403 — enable Third-Party Compatibility in the Tapo app"). Exceptions are kept
// for bugs and start-up failures. Values; safe to copy between threads.
#pragma once

#include <expected>
#include <string>
#include <system_error>
#include <utility>

namespace plugwatch {

enum class Errc {
  kOk = 0,
  kInvalidArgument,  // bad input from a user or a peer (HTTP 422)
  kParse,            // malformed bytes: JSON, TOML, protocol frames (HTTP 400)
  kNotFound,         // unknown resource (HTTP 404)
  kAlreadyExists,    // id taken (HTTP 409)
  kUnauthorized,     // missing or wrong credentials (HTTP 401)
  kTimeout,          // deadline passed
  kUnavailable,      // peer unreachable, connection refused or reset (HTTP 503)
  kProtocol,         // peer answered something we cannot use
  kSessionExpired,   // a device session must be re-established
  kNotSupported,     // the device or sink cannot do this
  kIo,               // local I/O: files, database
  kInternal,         // a bug
};

const std::error_category& PlugwatchCategory();
std::error_code make_error_code(Errc e);

struct Error {
  std::error_code code;
  std::string context;

  // "context" alone: context strings already say what happened.
  const std::string& message() const { return context; }
  bool Is(Errc e) const { return code == make_error_code(e); }
};

template <class T>
using Result = std::expected<T, Error>;

inline Error MakeError(Errc e, std::string context) {
  return Error{make_error_code(e), std::move(context)};
}
inline std::unexpected<Error> Fail(Errc e, std::string context) {
  return std::unexpected<Error>(MakeError(e, std::move(context)));
}
inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }

// Prefixes an error's context: Wrap(err, "tapo[washer]") → "tapo[washer]: <context>".
inline Error Wrap(Error e, std::string_view prefix) {
  e.context = std::string(prefix) + ": " + e.context;
  return e;
}

}  // namespace plugwatch

template <>
struct std::is_error_code_enum<plugwatch::Errc> : std::true_type {};
