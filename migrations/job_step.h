// Native job steps: `V<version>__<description>.job` files among the migrations.
//
// A job step names a registered backfill job and its parameters, in TOML:
//
//   # V4__backfill_event_view_metric.job
//   job = "event-view-metrics"
//   [params]            # optional; every value is passed to the job as text
//   zone = "Asia/Seoul"
//
// `migrate` reads every pending step and has the JobStepRunner check it (the job is
// registered, its parameters bind) before anything runs, together with the SQL scripts. At its
// place in the version order it runs the job to completion outside any transaction (the job
// commits chunk by chunk, each chunk with its done mark), and records the step's history row
// (type JDBC, Flyway's type for code migrations, with the file's checksum) only once the job
// completed. A step whose job did not complete is not recorded: the job's run and its chunks
// stay in the database, and the next `migrate` resumes that run where it stopped.
//
// migrations/ does not know the backfill engine (the two sit side by side, under cli/): the
// caller supplies a JobStepRunner.
#ifndef STRATA_MIGRATIONS_JOB_STEP_H_
#define STRATA_MIGRATIONS_JOB_STEP_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/dialect.h"

namespace strata::migrations {

struct JobStep {
  std::string job;                            // the registered job's name
  std::map<std::string, std::string> params;  // as text: integers, floats, booleans converted
};

// Parses the text of a job step file; `source_name` (the file's path) starts every error.
// Errors (kInvalidArgument), each "<file>:<line>:<col>: <what> (<what to do>)": TOML syntax,
// `job` missing or not a string, a top-level key other than `job` and `params`, a parameter
// value that is not a string, integer, float or boolean.
Result<JobStep> ParseJobStep(std::string_view text, const std::string& source_name);

// Reads and parses a job step file (kNotFound or kIo when it cannot be read).
Result<JobStep> ReadJobStep(const std::filesystem::path& path);

// "event-view-metrics (zone=Asia/Seoul)": the step as one line for messages and dry runs.
std::string DescribeJobStep(const JobStep& step);

// What running a step's job did.
struct JobStepOutcome {
  std::int64_t run_no = 0;        // the job's run (backfill status shows it)
  bool resumed = false;           // an unfinished run was resumed
  std::int64_t rows_written = 0;  // by the whole run
  std::int64_t rows_present = 0;  // rows the job wanted that already existed
};

// Runs job steps for `migrate`; the CLI implements it with the backfill engine.
class JobStepRunner {
 public:
  virtual ~JobStepRunner() = default;

  // Whether `step` can run: the job is registered and its parameters bind. Reads nothing.
  // The error says what is wrong with the job or parameter; the caller names the file.
  virtual Status Check(const JobStep& step) const = 0;

  // The SQL the job runs per chunk on `dialect`, for dry runs.
  virtual Result<std::vector<std::string>> DescribeSql(const JobStep& step,
                                                       db::Dialect dialect) const = 0;

  // Runs the job to completion against the migration target on connections of its own,
  // resuming the job's unfinished run. An error when the run did not complete (chunks failed,
  // interrupted, cancelled, paused), saying how to continue.
  virtual Result<JobStepOutcome> Run(const JobStep& step) = 0;
};

// Reads the job step at `path` and has `runner` check it: what `migrate` (before running
// anything) and `validate` do with every job step. Errors name the file: kInvalidArgument for a
// malformed file, an unknown job or a bad parameter; kNotFound or kIo when it cannot be read.
Result<JobStep> ReadCheckedJobStep(const std::filesystem::path& path, const JobStepRunner& runner);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_JOB_STEP_H_
