// The strata command line: parses arguments, loads configuration, runs one command.
#ifndef STRATA_CLI_APP_H_
#define STRATA_CLI_APP_H_

#include <iosfwd>

namespace strata::cli {

// Runs strata with `argv` and returns the process exit code (see cli/exit_codes.h).
// Output goes to `out` and `err`; `interactive` says whether `out` is a terminal.
int RunStrata(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
              bool interactive);

}  // namespace strata::cli

#endif  // STRATA_CLI_APP_H_
