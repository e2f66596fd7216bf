// The exit codes of the strata executable, documented in README.md ("Exit codes").
#ifndef STRATA_CLI_EXIT_CODES_H_
#define STRATA_CLI_EXIT_CODES_H_

#include "base/result.h"

namespace strata::cli {

enum ExitCode : int {
  kExitOk = 0,           // success
  kExitFailure = 1,      // the operation failed (SQL error, I/O error, bug)
  kExitUsage = 2,        // bad command line, configuration, URL or input files
  kExitValidation = 3,   // validation failed: checksums, pending/missing migrations, drift
  kExitLockTimeout = 4,  // another runner held the lock for longer than lock_timeout
  kExitConnection = 5,   // cannot connect or authenticate, or the connection was lost
  kExitInterrupted = 6,  // stopped by SIGINT/SIGTERM or a cancel; the work is resumable
};

// The exit code for a failed command.
inline int ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
      return kExitUsage;
    case ErrorCode::kValidation:
      return kExitValidation;
    case ErrorCode::kLockTimeout:
      return kExitLockTimeout;
    case ErrorCode::kConnection:
      return kExitConnection;
    case ErrorCode::kCancelled:
      return kExitInterrupted;
    case ErrorCode::kIo:
    case ErrorCode::kDatabase:
    case ErrorCode::kUnsupported:
    case ErrorCode::kInternal:
      return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace strata::cli

#endif  // STRATA_CLI_EXIT_CODES_H_
