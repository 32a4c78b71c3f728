#include "plugwatch/core/error.h"

namespace plugwatch {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "plugwatch"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::kOk:
        return "ok";
      case Errc::kInvalidArgument:
        return "invalid argument";
      case Errc::kParse:
        return "malformed input";
      case Errc::kNotFound:
        return "not found";
      case Errc::kAlreadyExists:
        return "already exists";
      case Errc::kUnauthorized:
        return "unauthorized";
      case Errc::kTimeout:
        return "timed out";
      case Errc::kUnavailable:
        return "unavailable";
      case Errc::kProtocol:
        return "protocol error";
      case Errc::kSessionExpired:
        return "session expired";
      case Errc::kNotSupported:
        return "not supported";
      case Errc::kIo:
        return "I/O error";
      case Errc::kInternal:
        return "internal error";
    }
    return "unknown";
  }
};

}  // namespace

const std::error_category& PlugwatchCategory() {
  static const Category category;
  return category;
}

std::error_code make_error_code(Errc e) { return {static_cast<int>(e), PlugwatchCategory()}; }

}  // namespace plugwatch
