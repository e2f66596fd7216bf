// The strata executable: everything happens in RunStrata (cli/app.cc).
#include <unistd.h>

#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  return strata::cli::RunStrata(argc, argv, std::cout, std::cerr, ::isatty(STDOUT_FILENO) != 0);
}
