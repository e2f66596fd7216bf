// The strata executable plus the engine's test jobs (test-copy), for CLI tests of the backfill
// commands against real servers. Never installed: the shipped strata offers built-in jobs only.
#include <unistd.h>

#include <iostream>

#include "backfill/control.h"
#include "backfill/testing/copy_job.h"
#include "cli/app.h"

int main(int argc, char** argv) {
  strata::backfill::SetExtraJobRegistrar(&strata::backfill::testing::RegisterTestJobs);
  return strata::cli::RunStrata(argc, argv, std::cout, std::cerr, ::isatty(STDOUT_FILENO) != 0);
}
