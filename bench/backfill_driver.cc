// A stand-in for `strata backfill run` in bench/backfill_bench.py until the engine's CLI
// exists. By default it runs a built-in job through the engine itself (backfill::RunJob with
// default ExecutorOptions: state tables, chunk claims, adaptive chunk size, heartbeats,
// retries, health throttle; or backfill::DryRun with --dry-run), so it measures what the CLI
// will run minus argument parsing and progress rendering. With --simple-loop it instead runs
// a plain chunk loop — N threads claiming fixed-size chunks from a shared cursor, one
// transaction per chunk — which measures the job alone.
//
//   strata-backfill-driver --url URL [--job event-view-metrics] [--param k=v]...
//                          [--workers 1] [--dry-run] [--simple-loop [--chunk-keys 1000]]
//                          [--summary FILE]
//
// Prints (and writes to --summary) one JSON object: rows_written, rows_present, chunks,
// seconds, rows_per_second, peak_rss_kib (getrusage ru_maxrss of this process).
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backfill/dry_run.h"
#include "backfill/executor.h"
#include "backfill/job.h"
#include "backfill/jobs/builtin.h"
#include "db/open.h"
#include "db/url.h"

namespace strata::bench {
namespace {

struct Options {
  std::string url;
  std::string job = "event-view-metrics";
  std::vector<std::string> params;  // k=v
  int workers = 1;
  std::int64_t chunk_keys = 1'000;
  bool dry_run = false;
  bool simple_loop = false;
  std::string summary;
};

// The chunk cursor the workers share: NextChunk runs under the mutex, so chunks never overlap.
class ChunkCursor {
 public:
  explicit ChunkCursor(const backfill::BoundJob& job, std::int64_t keys) : job_(job), keys_(keys) {}

  Result<std::optional<backfill::KeyRange>> Claim(db::Connection& conn) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (done_) return std::optional<backfill::KeyRange>();
    STRATA_ASSIGN_OR_RETURN(std::optional<backfill::ChunkCut> cut,
                            job_.NextChunk(conn, after_, keys_));
    if (!cut) {
      done_ = true;
      return std::optional<backfill::KeyRange>();
    }
    after_ = cut->range.last;
    return std::optional<backfill::KeyRange>(cut->range);
  }

 private:
  const backfill::BoundJob& job_;
  const std::int64_t keys_;
  std::mutex mutex_;
  std::optional<std::int64_t> after_;
  bool done_ = false;
};

struct WorkerTotals {
  backfill::ChunkOutcome sum;
  std::int64_t chunks = 0;
  std::optional<Error> error;
};

Status RunWorker(const db::Url& url, const backfill::BoundJob& job, ChunkCursor& cursor,
                 bool dry_run, WorkerTotals& totals) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(url));
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::optional<backfill::KeyRange> chunk, cursor.Claim(*conn));
    if (!chunk) return Ok();
    db::TxOptions tx_options;
    tx_options.read_only = dry_run;
    tx_options.isolation = db::Isolation::kReadCommitted;  // SQLite ignores it (serializable)
    STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(*conn, tx_options));
    STRATA_ASSIGN_OR_RETURN(backfill::ChunkOutcome outcome,
                            dry_run ? job.Count(*conn, *chunk) : job.Process(*conn, *chunk));
    STRATA_TRY(dry_run ? tx.Rollback() : tx.Commit());
    totals.sum.rows_written += outcome.rows_written;
    totals.sum.rows_present += outcome.rows_present;
    ++totals.chunks;
  }
}

int Report(const Options& options, const backfill::ChunkOutcome& sum, std::int64_t chunks,
           std::chrono::steady_clock::time_point start);

// The engine's way: RunJob (or DryRun), no listener output.
Result<backfill::ChunkOutcome> RunWithEngine(const Options& options, const db::Url& url,
                                             const backfill::BoundJob& job, std::int64_t& chunks) {
  if (options.dry_run) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(url));
    backfill::DryRunOptions dry;
    dry.workers = options.workers;
    backfill::DryRunListener listener;
    STRATA_ASSIGN_OR_RETURN(backfill::DryRunReport report,
                            backfill::DryRun(*conn, job, dry, listener));
    chunks = static_cast<std::int64_t>(report.chunks.size());
    return report.total;
  }
  backfill::ExecutorOptions executor;
  executor.workers = options.workers;
  backfill::ExecutorDeps deps;
  deps.connect = [&url]() { return db::Open(url); };
  backfill::RunListener listener;
  STRATA_ASSIGN_OR_RETURN(backfill::RunSummary summary,
                          backfill::RunJob(options.job, job, executor, deps, listener));
  if (summary.outcome != backfill::RunOutcome::kCompleted) {
    return Err(ErrorCode::kInternal,
               fmt::format("run {} ended {}: {}", summary.run_no,
                           backfill::RunOutcomeName(summary.outcome), summary.error));
  }
  chunks = summary.chunks_here;
  return backfill::ChunkOutcome{summary.totals.rows_written, summary.totals.rows_present};
}

int Run(const Options& options) {
  auto url = db::ParseUrl(options.url);
  if (!url) {
    std::cerr << "strata-backfill-driver: " << url.error().message << "\n";
    return 2;
  }
  backfill::JobRegistry registry;
  backfill::RegisterBuiltinJobs(registry);
  const backfill::JobDefinition* definition = registry.Find(options.job);
  if (definition == nullptr) {
    std::cerr << "strata-backfill-driver: no job '" << options.job << "'\n";
    return 2;
  }
  backfill::ParamValues values;
  for (const std::string& kv : options.params) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) {
      std::cerr << "strata-backfill-driver: --param wants k=v, got '" << kv << "'\n";
      return 2;
    }
    values[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto job = definition->Bind(values);
  if (!job) {
    std::cerr << "strata-backfill-driver: " << job.error().message << "\n";
    return 2;
  }
  {
    auto conn = db::Open(*url);
    if (!conn) {
      std::cerr << "strata-backfill-driver: " << conn.error().message << "\n";
      return 5;
    }
    if (Status checked = (*job)->Check(**conn); !checked) {
      std::cerr << "strata-backfill-driver: " << checked.error().message << "\n";
      return 3;
    }
  }

  const auto start = std::chrono::steady_clock::now();
  backfill::ChunkOutcome sum;
  std::int64_t chunks = 0;
  if (!options.simple_loop) {
    auto outcome = RunWithEngine(options, *url, **job, chunks);
    if (!outcome) {
      std::cerr << "strata-backfill-driver: " << outcome.error().message << "\n";
      return 1;
    }
    sum = *outcome;
    return Report(options, sum, chunks, start);
  }
  ChunkCursor cursor(**job, options.chunk_keys);
  std::vector<WorkerTotals> totals(static_cast<std::size_t>(options.workers));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < totals.size(); ++i) {
    threads.emplace_back([&, i] {
      Status status = RunWorker(*url, **job, cursor, options.dry_run, totals[i]);
      if (!status) totals[i].error = status.error();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const WorkerTotals& t : totals) {
    if (t.error) {
      std::cerr << "strata-backfill-driver: " << t.error->message << "\n";
      return 1;
    }
    sum.rows_written += t.sum.rows_written;
    sum.rows_present += t.sum.rows_present;
    chunks += t.chunks;
  }
  return Report(options, sum, chunks, start);
}

int Report(const Options& options, const backfill::ChunkOutcome& sum, std::int64_t chunks,
           std::chrono::steady_clock::time_point start) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const std::string json = fmt::format(
      R"({{"rows_written":{},"rows_present":{},"chunks":{},"seconds":{:.3f},)"
      R"("rows_per_second":{:.0f},"peak_rss_kib":{},"workers":{},"dry_run":{},"mode":"{}"}})",
      sum.rows_written, sum.rows_present, chunks, seconds,
      seconds > 0 ? static_cast<double>(sum.rows_written) / seconds : 0.0, usage.ru_maxrss,
      options.workers, options.dry_run ? "true" : "false",
      options.simple_loop ? "simple-loop" : "engine");
  std::cout << json << "\n";
  if (!options.summary.empty()) std::ofstream(options.summary) << json << "\n";
  return 0;
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  strata::bench::Options options;
  CLI::App app{"Runs a backfill job with a plain chunk loop (benchmark stand-in for the engine)"};
  app.add_option("--url", options.url, "database URL")->required();
  app.add_option("--job", options.job, "job name")->capture_default_str();
  app.add_option("--param", options.params, "job parameter k=v (repeatable)");
  app.add_option("--workers", options.workers, "worker threads")->capture_default_str();
  app.add_option("--chunk-keys", options.chunk_keys, "keys per chunk (--simple-loop)")
      ->capture_default_str();
  app.add_flag("--simple-loop", options.simple_loop,
               "a plain chunk loop instead of the engine (the job's cost alone)");
  app.add_flag("--dry-run", options.dry_run, "Count in read-only transactions instead");
  app.add_option("--summary", options.summary, "also write the JSON summary to this file");
  CLI11_PARSE(app, argc, argv);
  return strata::bench::Run(options);
}
