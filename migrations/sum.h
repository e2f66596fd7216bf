// strata.sum: an integrity file per migrations location, in the spirit of Atlas's atlas.sum
// (docs/flyway.md §10), checked offline before any database is touched.
//
// Format (version 1), "\n" line ends:
//
//   strata.sum v1 <total: 64 hex digits>
//   <sha256 of the file's bytes, 64 hex>  <path relative to the location, '/'-separated>
//   ...
//
// One line per file the resolver uses (V, U, B, R scripts, .job steps, callbacks and X.sql.conf
// files), migrations in version order then repeatables, each followed by its .conf, then
// callbacks. The entry lines are `sha256sum -c` compatible. The total is chained over the entry
// lines in order: h0 = 32 zero bytes, h(i) = SHA-256(h(i-1) || line(i) || "\n"), total = h(n).
// Adding, removing, editing or reordering any file changes the first line, so two branches that
// both add a migration conflict in review (on the first line and at the end of the file), and
// an applied file edited later is caught without a database.
#ifndef STRATA_MIGRATIONS_SUM_H_
#define STRATA_MIGRATIONS_SUM_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace strata::migrations {

inline constexpr const char* kSumFileName = "strata.sum";

struct SumEntry {
  std::string sha256;  // 64 lowercase hex digits
  std::string script;  // relative to the location, '/'-separated
};

struct SumFile {
  std::string total;  // 64 lowercase hex digits
  std::vector<SumEntry> entries;
};

// The chained total of `entries` (see the format above).
std::string SumTotal(const std::vector<SumEntry>& entries);

// The sum of the files in one location as they are now. Errors: those of ResolveMigrations
// (a file the resolver refuses is reported as such, not summed); kInvalidArgument for a path
// holding a newline.
Result<SumFile> ComputeSum(const std::filesystem::path& location);

// The file's text.
std::string RenderSum(const SumFile& sum);

// Reads a strata.sum text; `file` names it in errors ("<file>:<line>: ...",
// kInvalidArgument).
Result<SumFile> ParseSum(std::string_view text, const std::filesystem::path& file);

enum class SumProblemKind {
  kEdited,   // the file's hash differs from its line
  kAdded,    // a file with no line
  kMissing,  // a line with no file
  kOrder,    // every file matches but the lines are in another order
  kTotal,    // the first line does not match the entry lines (edited by hand, bad merge)
};

// "edited", "added", "missing", "order", "total".
const char* SumProblemKindName(SumProblemKind kind);

struct SumProblem {
  SumProblemKind kind;
  std::string script;  // the file; empty for kOrder and kTotal
  // One line for a person, e.g. "V2__add_email.sql: edited since strata.sum was written".
  std::string message;
};

// What differs between a recorded sum and the files now, recorded order first, then added files.
std::vector<SumProblem> CompareSums(const SumFile& recorded, const SumFile& actual);

// The state of one location's strata.sum.
struct SumCheck {
  std::filesystem::path location;
  std::filesystem::path sum_file;  // location / strata.sum
  bool present = false;            // whether strata.sum exists
  std::size_t files = 0;           // files in the location now
  std::vector<SumProblem> problems;
};

// Checks every location's strata.sum against its files. A location without strata.sum gives
// present = false and no problems. Errors: reading or parsing strata.sum, ComputeSum's.
Result<std::vector<SumCheck>> CheckSums(const std::vector<std::filesystem::path>& locations);

// The verdict on CheckSums' result: Ok when no location has problems (and, with
// `require_sum_file`, every location has a strata.sum); otherwise one kValidation error whose
// message is a summary line followed by "  <location>/<file>: <problem>" lines and what to do.
Status SumCheckStatus(const std::vector<SumCheck>& checks, bool require_sum_file);

// What `validate` and `migrate` run first: CheckSums then SumCheckStatus without requiring a
// sum file, so locations without strata.sum pass.
Status VerifySumFiles(const std::vector<std::filesystem::path>& locations);

// Computes and writes location/strata.sum (atomically) for every location; returns the sums.
Result<std::vector<SumFile>> WriteSumFiles(const std::vector<std::filesystem::path>& locations);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_SUM_H_
