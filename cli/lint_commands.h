// `strata lint` as `migrate` runs it first when lint_on_migrate is set.
#ifndef STRATA_CLI_LINT_COMMANDS_H_
#define STRATA_CLI_LINT_COMMANDS_H_

#include "base/result.h"
#include "cli/context.h"
#include "cli/run_support.h"

namespace strata::cli {

// Lints the pending migrations on the target (live facts included) and prints the findings as
// text (nothing with --json). Fails with kValidation when an error remains, so that migrate
// applies nothing.
Status LintBeforeMigrate(Context& ctx, const RunFlags& flags);

}  // namespace strata::cli

#endif  // STRATA_CLI_LINT_COMMANDS_H_
