// The job interface of the backfill engine, and the explicit registry of built-in jobs.
//
// A job is a named, parameterised piece of work over a key space of 64-bit integer keys
// (usually the primary key of a driving table, e.g. event_statistic.event_statistic_id). The
// engine (backfill/executor.h) cuts the key space into chunks — keyset ranges [first, last] of
// keys that exist — and calls the job once per chunk inside a short transaction that also
// records the chunk as done. The job never opens, commits or rolls back transactions, never
// sleeps and never prints; it only reads and writes through the connection it is handed.
//
// Lifecycle: the registry hands out a JobDefinition; Bind() checks and types the parameters
// (pure, no database) and returns a BoundJob; Check() verifies preconditions on the target
// before the engine creates any state; then NextChunk/Process/Count/Sample run per chunk,
// possibly on several connections in several threads or processes at once (a BoundJob is
// immutable after Bind, so its methods are safe to call concurrently on different
// connections).
#ifndef STRATA_BACKFILL_JOB_H_
#define STRATA_BACKFILL_JOB_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/connection.h"

namespace strata::backfill {

// Parameter values as given on the command line (`--param k=v`) or in a `.job` file.
using ParamValues = std::map<std::string, std::string>;

// One declared parameter; `default_value` is used when the caller gives none.
struct ParamSpec {
  std::string name;
  std::string description;
  std::string default_value;  // empty with `required` = true means: must be given
  bool required = false;
};

// A closed range of keys, both ends inclusive, that exist in the key space when cut.
struct KeyRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
  friend bool operator==(const KeyRange&, const KeyRange&) = default;
};

// A chunk just cut: its range and how many keys it holds (at most the `max_keys` asked for;
// fewer at the end of the key space). Progress counts the keys a chunk holds, never the keys
// it asked for, so that done keys cannot exceed the keys that exist.
struct ChunkCut {
  KeyRange range;
  std::int64_t keys = 0;
};

// What processing (or counting) one chunk did or would do.
struct ChunkOutcome {
  std::int64_t rows_written = 0;  // rows inserted/changed (for Count: that would be)
  std::int64_t rows_present = 0;  // rows the job wanted that already existed (left untouched)
};

// A sample of what a chunk would write, for dry runs: column names and rows in text form.
struct SampleRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

// A job bound to its parameters and ready to run against one dialect.
class BoundJob {
 public:
  virtual ~BoundJob() = default;

  // The parameters after defaults were applied, for the run row and `status`.
  virtual const ParamValues& params() const = 0;

  // Preconditions on the target, checked before anything is created or written (e.g. the
  // unique key on (event_statistic_id, view_date) exists). An error says what is missing and
  // how to fix it.
  virtual Status Check(db::Connection& conn) const = 0;

  // The next chunk: at most `max_keys` consecutive existing keys greater than `after`
  // (nullopt: from the start), within the job's key bounds, with how many it holds. nullopt
  // when no keys remain. Runs in the caller's transaction (or none); must be cheap (an index
  // range scan).
  virtual Result<std::optional<ChunkCut>> NextChunk(db::Connection& conn,
                                                    std::optional<std::int64_t> after,
                                                    std::int64_t max_keys) const = 0;

  // How many keys the whole key space holds (for progress and ETA), or nullopt when the job
  // cannot tell cheaply. Read-only; the default says "unknown".
  virtual Result<std::optional<std::int64_t>> EstimateKeys(db::Connection& conn) const {
    (void)conn;
    return std::optional<std::int64_t>();
  }

  // Writes the chunk's rows idempotently, inside the caller's transaction: running it twice
  // writes nothing the second time.
  virtual Result<ChunkOutcome> Process(db::Connection& conn, const KeyRange& chunk) const = 0;

  // Exactly what Process would do to the current data, without writing (the caller runs it
  // in a read-only transaction).
  virtual Result<ChunkOutcome> Count(db::Connection& conn, const KeyRange& chunk) const = 0;

  // Up to `limit` of the rows Process would write for the chunk, read-only.
  virtual Result<SampleRows> Sample(db::Connection& conn, const KeyRange& chunk,
                                    int limit) const = 0;

  // The SQL the job runs per chunk, for `backfill plan` and dry runs (parameters shown as the
  // dialect's placeholders).
  virtual std::vector<std::string> DescribeSql(db::Dialect dialect) const = 0;
};

// A registered job: its name, what it does, its parameters, and how to bind them.
class JobDefinition {
 public:
  virtual ~JobDefinition() = default;
  virtual std::string_view name() const = 0;         // e.g. "event-view-metrics"
  virtual std::string_view description() const = 0;  // one line
  virtual std::vector<ParamSpec> parameters() const = 0;

  // Applies defaults and validates `values` (unknown names, malformed values, missing
  // required ones are kInvalidArgument errors naming the parameter).
  virtual Result<std::unique_ptr<BoundJob>> Bind(const ParamValues& values) const = 0;
};

// The explicit registry: jobs are added by name, in code, never by static initialisers.
class JobRegistry {
 public:
  // Adds a job; a second job with the same name is a programming error (returns kInternal).
  Status Add(std::unique_ptr<JobDefinition> job);
  // The job called `name`, or nullptr.
  const JobDefinition* Find(std::string_view name) const;
  // Every job, sorted by name.
  std::vector<const JobDefinition*> All() const;

 private:
  std::map<std::string, std::unique_ptr<JobDefinition>, std::less<>> jobs_;
};

// Checks `values` against `specs` and fills in defaults: the shared part of Bind().
Result<ParamValues> ApplyParamSpecs(const std::vector<ParamSpec>& specs, const ParamValues& values,
                                    std::string_view job_name);

}  // namespace strata::backfill

#endif  // STRATA_BACKFILL_JOB_H_
