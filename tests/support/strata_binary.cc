// StrataBinary() for one binary under test, named by STRATA_BINARY_PATH at compile time; see
// strata_run_strata_for() in tests/support/CMakeLists.txt.
#include "tests/support/run_strata.h"

namespace strata::testing {

std::string StrataBinary() { return STRATA_BINARY_PATH; }

}  // namespace strata::testing
