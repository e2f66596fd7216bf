#include "base/result.h"

namespace strata {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kIo:
      return "i/o error";
    case ErrorCode::kConnection:
      return "connection error";
    case ErrorCode::kDatabase:
      return "database error";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kValidation:
      return "validation failed";
    case ErrorCode::kLockTimeout:
      return "lock timeout";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown error";
}

Error Error::WithContext(const std::string& context) const {
  Error copy = *this;
  copy.message = context + ": " + message;
  return copy;
}

Error Err(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

}  // namespace strata
