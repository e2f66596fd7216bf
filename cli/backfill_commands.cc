// `strata backfill list | plan | run | status | pause | resume | cancel | redrive`: native
// backfill jobs run by the engine in backfill/ (see docs/backfill.md).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <iostream>
#include <memory>

#include "backfill/control.h"
#include "backfill/dry_run.h"
#include "backfill/executor.h"
#include "backfill/jobs/builtin.h"
#include "base/duration.h"
#include "cli/command.h"
#include "cli/job_steps.h"
#include "db/open.h"

namespace strata::cli {
namespace {

using backfill::RunOutcome;
using std::chrono::milliseconds;

// ---- Flags ----------------------------------------------------------------------------------

// `backfill run` and `backfill plan`; unset values come from strata.toml (backfill_* keys).
struct RunFlags {
  std::string job;
  std::vector<std::string> params;                      // --param k=v (repeatable)
  bool dry_run = false;                                 // --dry-run: count, sample, write nothing
  int sample_chunks = 0;                                // --sample-chunks N: execute + roll back
  std::int64_t plan_chunk_keys = 1000;                  // --plan-chunk-keys: dry-run chunk size
  std::optional<std::string> workers;                   // --workers (default 1)
  std::optional<std::string> max_rows_per_second;       // --max-rows-per-second (default 0: none)
  std::optional<std::string> chunk_target;              // --chunk-target (default 500ms)
  std::optional<std::string> max_attempts;              // --max-attempts (default 5)
  std::optional<std::string> max_replica_lag;           // --max-replica-lag (default 5s)
  std::optional<std::string> max_connections_fraction;  // --max-connections-fraction (0.9)
  std::optional<std::string> max_threads_running;       // --max-threads-running (default 25)
  std::optional<std::string> statement_timeout;         // --statement-timeout (default 30s)
  std::optional<std::string> lock_timeout;              // --lock-timeout (default 5s)
  std::optional<std::string> reclaim_after;             // --reclaim-after (default 60s)
};

struct JobFlags {
  std::string job;  // positional JOB (optional for status)
};

// The jobs the CLI knows: the built-in ones, plus a test binary's.
const backfill::JobRegistry& Registry() {
  static const backfill::JobRegistry* registry = [] {
    auto* r = new backfill::JobRegistry();  // lives for the process
    backfill::RegisterBuiltinJobs(*r);
    backfill::RegisterExtraJobs(*r);
    return r;
  }();
  return *registry;
}

Result<const backfill::JobDefinition*> FindJob(const std::string& name) {
  const backfill::JobDefinition* job = Registry().Find(name);
  if (job != nullptr) return job;
  std::vector<std::string> names;
  for (const auto* j : Registry().All()) names.emplace_back(j->name());
  return Err(ErrorCode::kNotFound,
             fmt::format("no backfill job named '{}' (jobs: {}; see `strata backfill list`)", name,
                         fmt::join(names, ", ")));
}

Result<backfill::ParamValues> ParseParams(const std::vector<std::string>& given) {
  backfill::ParamValues out;
  for (const std::string& p : given) {
    const std::size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("--param '{}' is not NAME=VALUE, e.g. --param zone=UTC", p));
    }
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

Result<std::unique_ptr<backfill::BoundJob>> BindJob(const RunFlags& f) {
  STRATA_ASSIGN_OR_RETURN(const backfill::JobDefinition* def, FindJob(f.job));
  STRATA_ASSIGN_OR_RETURN(backfill::ParamValues values, ParseParams(f.params));
  return def->Bind(values);
}

Result<std::int64_t> ParseInt(const std::string& text, std::string_view what, std::int64_t min) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{} must be a whole number of at least {}, not '{}'", what, min, text));
  }
  return v;
}

Result<double> ParseNumber(const std::string& text, std::string_view what) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{} must be a number of at least 0, not '{}'", what, text));
  }
  return v;
}

Result<milliseconds> ParsePositiveDuration(const std::string& text, std::string_view what) {
  auto d = ParseDuration(text);
  if (!d) return std::move(d).error().WithContext(std::string(what));
  if (d->count() <= 0) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{} must be longer than 0, not '{}'", what, text));
  }
  return *d;
}

Result<backfill::ExecutorOptions> ExecutorOptionsFor(const Config& c, const RunFlags& f) {
  backfill::ExecutorOptions o;
  STRATA_ASSIGN_OR_RETURN(std::int64_t workers,
                          ParseInt(f.workers.value_or(c.backfill_workers), "--workers", 1));
  o.workers = static_cast<int>(std::min<std::int64_t>(workers, 256));
  STRATA_ASSIGN_OR_RETURN(
      o.throttle.max_rows_per_second,
      ParseNumber(f.max_rows_per_second.value_or(c.backfill_max_rows_per_second),
                  "--max-rows-per-second"));
  STRATA_ASSIGN_OR_RETURN(
      o.chunk_target,
      ParsePositiveDuration(f.chunk_target.value_or(c.backfill_chunk_target), "--chunk-target"));
  STRATA_ASSIGN_OR_RETURN(
      std::int64_t attempts,
      ParseInt(f.max_attempts.value_or(c.backfill_max_attempts), "--max-attempts", 1));
  o.max_attempts = static_cast<int>(std::min<std::int64_t>(attempts, 1000));
  STRATA_ASSIGN_OR_RETURN(
      o.throttle.max_replica_lag,
      ParsePositiveDuration(f.max_replica_lag.value_or(c.backfill_max_replica_lag),
                            "--max-replica-lag"));
  STRATA_ASSIGN_OR_RETURN(
      o.throttle.max_connections_fraction,
      ParseNumber(f.max_connections_fraction.value_or(c.backfill_max_connections_fraction),
                  "--max-connections-fraction"));
  STRATA_ASSIGN_OR_RETURN(o.throttle.max_threads_running,
                          ParseInt(f.max_threads_running.value_or(c.backfill_max_threads_running),
                                   "--max-threads-running", 0));
  STRATA_ASSIGN_OR_RETURN(
      o.statement_timeout,
      ParsePositiveDuration(f.statement_timeout.value_or(c.backfill_statement_timeout),
                            "--statement-timeout"));
  STRATA_ASSIGN_OR_RETURN(
      o.lock_timeout,
      ParsePositiveDuration(f.lock_timeout.value_or(c.backfill_lock_timeout), "--lock-timeout"));
  STRATA_ASSIGN_OR_RETURN(
      o.reclaim_after,
      ParsePositiveDuration(f.reclaim_after.value_or(c.backfill_reclaim_after), "--reclaim-after"));
  return o;
}

// ---- Signals --------------------------------------------------------------------------------

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int /*signo*/) {
  g_stop.store(true);
  // A second signal ends the process at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

class StopOnSignals {
 public:
  StopOnSignals() {
    g_stop = false;
    previous_int_ = std::signal(SIGINT, OnStopSignal);
    previous_term_ = std::signal(SIGTERM, OnStopSignal);
  }
  ~StopOnSignals() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  void (*previous_int_)(int) = SIG_DFL;
  void (*previous_term_)(int) = SIG_DFL;
};

// ---- Rendering ------------------------------------------------------------------------------

std::string Eta(const std::optional<std::chrono::seconds>& eta) {
  return eta ? FormatDuration(duration_cast<milliseconds>(*eta)) : std::string("?");
}

nlohmann::json RangeJson(const backfill::KeyRange& r) { return {r.first, r.last}; }

// Progress as a bar on a terminal's stderr, or JSON-lines events on stdout with --json.
class CliRunListener : public backfill::RunListener {
 public:
  // `events`: JSON-lines events on stdout with --json (`backfill run`); off inside `migrate`,
  // whose --json output is one result document.
  CliRunListener(Output& out, std::string job, bool events = true)
      : out_(out),
        job_(std::move(job)),
        bar_(!out.json() && ::isatty(STDERR_FILENO) != 0),
        events_(events) {}

  void OnRunStarted(const backfill::RunRow& run, bool resumed) override {
    Event({{"event", "run_started"},
           {"job", job_},
           {"run_no", run.run_no},
           {"resumed", resumed},
           {"params", nlohmann::json::parse(run.params_json, nullptr, false)},
           {"total_keys", run.total_keys ? nlohmann::json(*run.total_keys) : nullptr}});
    out_.Line(fmt::format("{} run {} of {}", resumed ? "resuming" : "starting", run.run_no, job_));
  }
  void OnChunkDone(const backfill::ChunkReport& c) override {
    Event({{"event", "chunk_done"},
           {"chunk_no", c.chunk_no},
           {"range", RangeJson(c.range)},
           {"attempt", c.attempt},
           {"rows_written", c.outcome.rows_written},
           {"rows_present", c.outcome.rows_present},
           {"duration_ms", c.duration.count()},
           {"worker", c.worker},
           {"reclaimed", c.reclaimed}});
  }
  void OnChunkRetry(const backfill::ChunkReport& c, const Error& e, milliseconds delay) override {
    Event({{"event", "chunk_retry"},
           {"chunk_no", c.chunk_no},
           {"range", RangeJson(c.range)},
           {"attempt", c.attempt},
           {"error", e.message},
           {"retry_in_ms", delay.count()}});
    if (!out_.json()) {
      Clear();
      spdlog::info("chunk {} attempt {} failed, retrying in {}: {}", c.chunk_no, c.attempt,
                   FormatDuration(delay), e.message);
    }
  }
  void OnChunkFailed(const backfill::ChunkReport& c, const Error& e) override {
    Event({{"event", "chunk_failed"},
           {"chunk_no", c.chunk_no},
           {"range", RangeJson(c.range)},
           {"attempts", c.attempt},
           {"error", e.message}});
    if (!out_.json()) {
      Clear();
      out_.Warning(fmt::format("chunk {} (keys {}..{}) parked as failed after {} attempt{}: {}",
                               c.chunk_no, c.range.first, c.range.last, c.attempt,
                               c.attempt == 1 ? "" : "s", e.message));
    }
  }
  void OnThrottle(const std::string& reason) override {
    Event({{"event", "throttle"}, {"reason", reason}, {"held", !reason.empty()}});
    if (!out_.json()) {
      Clear();
      out_.Warning(reason.empty() ? std::string("continuing") : fmt::format("holding: {}", reason));
    }
  }
  void OnWarning(const std::string& message) override {
    Event({{"event", "warning"}, {"message", message}});
    if (!out_.json()) {
      Clear();
      out_.Warning(message);
    }
  }
  void OnProgress(const backfill::ProgressSnapshot& p) override {
    Event({{"event", "progress"},
           {"chunks_done", p.totals.done},
           {"chunks_failed", p.totals.failed},
           {"chunks_cut", p.totals.chunks},
           {"keys_done", p.totals.keys_done},
           {"total_keys", p.total_keys ? nlohmann::json(*p.total_keys) : nullptr},
           {"rows_written", p.totals.rows_written},
           {"rows_present", p.totals.rows_present},
           {"rows_per_second", p.rows_per_second},
           {"eta_seconds", p.eta ? nlohmann::json(p.eta->count()) : nullptr},
           {"chunk_size", p.chunk_size},
           {"throttle", p.throttle_reason}});
    if (!bar_) return;
    const double fraction = p.total_keys && *p.total_keys > 0
                                ? std::min(1.0, static_cast<double>(p.totals.keys_done) /
                                                    static_cast<double>(*p.total_keys))
                                : 0.0;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::cerr << fmt::format("\r\x1b[K[{}] {:>3.0f}% {}/{} keys  {:.0f} rows/s  ETA {}{}", bar,
                             fraction * 100, p.totals.keys_done,
                             p.total_keys ? std::to_string(*p.total_keys) : std::string("?"),
                             p.rows_per_second, Eta(p.eta),
                             p.throttle_reason.empty() ? "" : "  held: " + p.throttle_reason)
              << std::flush;
    drawn_ = true;
  }
  void Event(const nlohmann::json& event) {
    if (events_) out_.Json(event);
  }
  void Clear() {
    if (drawn_) std::cerr << "\r\x1b[K" << std::flush;
    drawn_ = false;
  }

 private:
  Output& out_;
  std::string job_;
  bool bar_;
  bool events_;
  bool drawn_ = false;
};

nlohmann::json FailedJson(const std::vector<backfill::FailedChunk>& failed) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : failed) {
    list.push_back({{"chunk_no", f.chunk_no},
                    {"range", RangeJson(f.range)},
                    {"attempts", f.attempts},
                    {"error", f.error}});
  }
  return list;
}

void PrintFailed(Output& out, const std::vector<backfill::FailedChunk>& failed) {
  if (failed.empty()) return;
  std::vector<std::vector<std::string>> rows;
  rows.reserve(failed.size());
  for (const auto& f : failed) {
    rows.push_back({std::to_string(f.chunk_no), fmt::format("{}..{}", f.range.first, f.range.last),
                    std::to_string(f.attempts), f.error});
  }
  out.Table({"Failed chunk", "Keys", "Attempts", "Error"}, rows);
}

std::string SummaryLine(const std::string& job, const backfill::RunSummary& s) {
  return fmt::format(
      "run {} of {} {}: {} rows written, {} already present, {} chunks done, {} failed, {} "
      "retries here, in {}",
      s.run_no, job, backfill::RunOutcomeName(s.outcome), s.totals.rows_written,
      s.totals.rows_present, s.totals.done, s.totals.failed, s.retries_here,
      FormatDuration(s.duration));
}

// The run's outcome as a status (and so the exit code).
Status OutcomeStatus(const std::string& job, const backfill::RunSummary& s) {
  switch (s.outcome) {
    case RunOutcome::kCompleted:
      return Ok();
    case RunOutcome::kFailed:
      return Err(ErrorCode::kDatabase,
                 fmt::format("run {} of {} failed: {}; see `strata backfill status {}`, fix the "
                             "cause, then `strata backfill redrive {}`",
                             s.run_no, job, s.error, job, job));
    case RunOutcome::kInterrupted:
    case RunOutcome::kPaused:
      return Err(ErrorCode::kCancelled,
                 fmt::format("interrupted: run {} of {} is resumable with `strata backfill run "
                             "{}`",
                             s.run_no, job, job));
    case RunOutcome::kCancelled:
      return Err(ErrorCode::kCancelled, fmt::format("run {} of {} was cancelled", s.run_no, job));
  }
  return Ok();
}

// The final summary, then the outcome as a status.
Status ReportSummary(Output& out, const std::string& job, const backfill::RunSummary& s) {
  out.Json({{"event", "summary"},
            {"job", job},
            {"run_no", s.run_no},
            {"outcome", backfill::RunOutcomeName(s.outcome)},
            {"rows_written", s.totals.rows_written},
            {"rows_present", s.totals.rows_present},
            {"chunks_done", s.totals.done},
            {"chunks_failed", s.totals.failed},
            {"chunks_pending", s.totals.pending + s.totals.running},
            {"rows_written_here", s.rows_written_here},
            {"chunks_here", s.chunks_here},
            {"retries_here", s.retries_here},
            {"duration_ms", s.duration.count()},
            {"failed", FailedJson(s.failed)},
            {"error", s.error}});
  out.Line(SummaryLine(job, s));
  PrintFailed(out, s.failed);
  return OutcomeStatus(job, s);
}

// ---- Dry run --------------------------------------------------------------------------------

class CliDryRunListener : public backfill::DryRunListener {};

Status RunDry(Context& ctx, const RunFlags& f, const backfill::BoundJob& job, int workers) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  backfill::DryRunOptions o;
  o.chunk_keys = f.plan_chunk_keys;
  o.sample_chunks = f.sample_chunks;
  o.workers = workers;
  CliDryRunListener listener;
  StopOnSignals signals;
  STRATA_ASSIGN_OR_RETURN(backfill::DryRunReport r,
                          backfill::DryRun(*conn, job, o, listener, &g_stop));
  nlohmann::json chunks = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : r.chunks) {
    chunks.push_back({{"chunk_no", c.chunk_no},
                      {"range", RangeJson(c.range)},
                      {"rows_written", c.outcome.rows_written},
                      {"rows_present", c.outcome.rows_present},
                      {"count_ms", c.count_time.count()}});
    if (rows.size() < 20) {
      rows.push_back(
          {std::to_string(c.chunk_no), fmt::format("{}..{}", c.range.first, c.range.last),
           std::to_string(c.outcome.rows_written), std::to_string(c.outcome.rows_present)});
    }
  }
  nlohmann::json sampled = nlohmann::json::array();
  for (const auto& s : r.sampled) {
    sampled.push_back(
        {{"chunk_no", s.chunk_no},
         {"range", RangeJson(s.range)},
         {"rows_written", s.outcome.rows_written},
         {"duration_ms", s.duration.count()},
         {"error", s.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.error)}});
  }
  ctx.out().Json({{"job", f.job},
                  {"dry_run", true},
                  {"target", conn->display_url()},
                  {"params", job.params()},
                  {"sql", job.DescribeSql(conn->dialect())},
                  {"chunk_keys", o.chunk_keys},
                  {"chunks", chunks},
                  {"rows_written", r.total.rows_written},
                  {"rows_present", r.total.rows_present},
                  {"sample", {{"columns", r.sample.columns}, {"rows", r.sample.rows}}},
                  {"sampled_chunks", sampled},
                  {"count_duration_ms", r.count_duration.count()},
                  {"estimated_duration_ms",
                   r.estimated_duration ? nlohmann::json(r.estimated_duration->count()) : nullptr},
                  {"interrupted", r.interrupted}});
  Output& out = ctx.out();
  out.Line(fmt::format("dry run of {} on {}: nothing was written", f.job, conn->display_url()));
  for (const std::string& sql : job.DescribeSql(conn->dialect())) out.Line("  " + sql);
  out.Table({"Chunk", "Keys", "Would write", "Present"}, rows);
  if (r.chunks.size() > rows.size()) {
    out.Line(fmt::format("… and {} more chunks", r.chunks.size() - rows.size()));
  }
  out.Line(
      fmt::format("total: {} chunks of up to {} keys, {} rows would be written, {} are "
                  "already present (counted in {})",
                  r.chunks.size(), o.chunk_keys, r.total.rows_written, r.total.rows_present,
                  FormatDuration(r.count_duration)));
  if (!r.sample.rows.empty()) out.Table(r.sample.columns, r.sample.rows);
  for (const auto& s : r.sampled) {
    if (!s.error.empty()) {
      out.Line(fmt::format("sampled chunk {} (keys {}..{}) FAILED in {}, rolled back: {}",
                           s.chunk_no, s.range.first, s.range.last, FormatDuration(s.duration),
                           s.error));
      continue;
    }
    out.Line(fmt::format("sampled chunk {} (keys {}..{}): {} rows in {}, rolled back", s.chunk_no,
                         s.range.first, s.range.last, s.outcome.rows_written,
                         FormatDuration(s.duration)));
  }
  if (r.estimated_duration) {
    out.Line(fmt::format("estimated duration with {} worker{}: {}", workers,
                         workers == 1 ? "" : "s", FormatDuration(*r.estimated_duration)));
  }
  if (r.interrupted) return Err(ErrorCode::kCancelled, "dry run interrupted");
  return Ok();
}

// ---- Commands -------------------------------------------------------------------------------

// Connections to the target (and the configured replicas) named `application_name`.
Result<backfill::ExecutorDeps> ExecutorDepsFor(const Context& ctx,
                                               const std::string& application_name) {
  STRATA_ASSIGN_OR_RETURN(db::Url url, ctx.TargetUrl());
  STRATA_ASSIGN_OR_RETURN(db::ConnectOptions connect_options, ctx.ConnectOptionsFor());
  connect_options.application_name = application_name;
  backfill::ExecutorDeps deps;
  deps.connect = [url, connect_options]() { return db::Open(url, connect_options); };
  for (const std::string& replica : ctx.config().backfill_replicas) {
    STRATA_ASSIGN_OR_RETURN(db::Url replica_url, db::ParseUrl(replica));
    deps.replicas.emplace_back(
        [replica_url, connect_options]() { return db::Open(replica_url, connect_options); });
  }
  return deps;
}

Status RunRun(Context& ctx, const RunFlags& f) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, BindJob(f));
  STRATA_ASSIGN_OR_RETURN(backfill::ExecutorOptions options, ExecutorOptionsFor(ctx.config(), f));
  if (f.sample_chunks < 0) {
    return Err(ErrorCode::kInvalidArgument, "--sample-chunks must be at least 0");
  }
  if (f.sample_chunks > 0 && !f.dry_run) {
    return Err(ErrorCode::kInvalidArgument, "--sample-chunks needs --dry-run");
  }
  if (f.dry_run) return RunDry(ctx, f, *job, options.workers);

  STRATA_ASSIGN_OR_RETURN(backfill::ExecutorDeps deps,
                          ExecutorDepsFor(ctx, "strata backfill " + f.job));
  StopOnSignals signals;
  deps.stop = &g_stop;
  CliRunListener listener(ctx.out(), f.job);
  Result<backfill::RunSummary> summary = backfill::RunJob(f.job, *job, options, deps, listener);
  listener.Clear();
  if (!summary) return std::move(summary).error();
  return ReportSummary(ctx.out(), f.job, *summary);
}

Status RunList(Context& ctx) {
  nlohmann::json jobs = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const backfill::JobDefinition* job : Registry().All()) {
    nlohmann::json params = nlohmann::json::array();
    std::vector<std::string> names;
    for (const backfill::ParamSpec& p : job->parameters()) {
      params.push_back({{"name", p.name},
                        {"description", p.description},
                        {"default", p.default_value},
                        {"required", p.required}});
      names.push_back(p.required ? p.name + " (required)" : p.name + "=" + p.default_value);
    }
    jobs.push_back(
        {{"name", job->name()}, {"description", job->description()}, {"parameters", params}});
    rows.push_back({std::string(job->name()), std::string(job->description()),
                    fmt::format("{}", fmt::join(names, ", "))});
  }
  ctx.out().Json({{"jobs", jobs}});
  ctx.out().Table({"Job", "Description", "Parameters"}, rows);
  return Ok();
}

Status RunPlan(Context& ctx, const RunFlags& f) {
  STRATA_ASSIGN_OR_RETURN(const backfill::JobDefinition* def, FindJob(f.job));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, BindJob(f));
  STRATA_ASSIGN_OR_RETURN(backfill::ExecutorOptions options, ExecutorOptionsFor(ctx.config(), f));
  std::vector<db::Dialect> dialects = {db::Dialect::kPostgres, db::Dialect::kMariaDb,
                                       db::Dialect::kSqlite};
  std::optional<std::int64_t> keys;
  std::string target;
  if (!ctx.config().url.empty()) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
    dialects = {conn->dialect()};
    target = conn->display_url();
    db::TxOptions ro;
    ro.read_only = true;
    STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(*conn, ro));
    STRATA_TRY(job->Check(*conn));
    STRATA_ASSIGN_OR_RETURN(keys, job->EstimateKeys(*conn));
    STRATA_TRY(tx.Commit());
  }
  const std::string chunking = fmt::format(
      "keyset chunks over the job's keys, cut as the run goes: the first of {} keys, then sized "
      "toward {} per chunk (growing at most 1.2x per chunk, halved after a chunk over twice the "
      "target or a timeout); {} worker{}; each chunk's rows and its done mark commit in one "
      "transaction",
      options.initial_chunk_keys, FormatDuration(options.chunk_target), options.workers,
      options.workers == 1 ? "" : "s");
  nlohmann::json sql = nlohmann::json::object();
  for (db::Dialect d : dialects) sql[db::DialectName(d)] = job->DescribeSql(d);
  ctx.out().Json({{"job", f.job},
                  {"description", def->description()},
                  {"params", job->params()},
                  {"target", target.empty() ? nlohmann::json(nullptr) : nlohmann::json(target)},
                  {"total_keys", keys ? nlohmann::json(*keys) : nullptr},
                  {"chunking", chunking},
                  {"sql", sql}});
  Output& out = ctx.out();
  out.Line(fmt::format("{}: {}", f.job, def->description()));
  for (const auto& [k, v] : job->params()) out.Line(fmt::format("  --param {}={}", k, v));
  if (!target.empty()) {
    out.Line(fmt::format("target {}: {} keys", target, keys ? std::to_string(*keys) : "unknown"));
  }
  out.Line(chunking);
  for (db::Dialect d : dialects) {
    out.Line(fmt::format("SQL per chunk ({}):", db::DialectName(d)));
    for (const std::string& s : job->DescribeSql(d)) out.Line("  " + s);
  }
  return Ok();
}

nlohmann::json StatusJson(const backfill::RunStatus& s) {
  const backfill::RunRow& r = s.run;
  return {{"job", r.job},
          {"run_no", r.run_no},
          {"state", backfill::RunStateName(r.state)},
          {"params", nlohmann::json::parse(r.params_json, nullptr, false)},
          {"chunks", s.totals.chunks},
          {"chunks_done", s.totals.done},
          {"chunks_pending", s.totals.pending},
          {"chunks_running", s.totals.running},
          {"chunks_failed", s.totals.failed},
          {"keys_done", s.totals.keys_done},
          {"total_keys", r.total_keys ? nlohmann::json(*r.total_keys) : nullptr},
          {"rows_written", s.totals.rows_written},
          {"rows_present", s.totals.rows_present},
          {"keys_per_second", s.keys_per_second},
          {"eta_seconds", s.eta_seconds ? nlohmann::json(*s.eta_seconds) : nullptr},
          {"throttle", r.throttle_reason},
          {"error", r.last_error},
          {"created_ms", r.created_ms},
          {"updated_ms", r.updated_ms},
          {"finished_ms", r.finished_ms ? nlohmann::json(*r.finished_ms) : nullptr},
          {"failed", FailedJson(s.failed)}};
}

Status RunStatusCommand(Context& ctx, const JobFlags& f) {
  if (!f.job.empty()) STRATA_TRY(FindJob(f.job));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  std::vector<backfill::RunStatus> runs;
  if (f.job.empty()) {
    STRATA_ASSIGN_OR_RETURN(runs, backfill::ReadAllRunStatus(*conn));
  } else {
    STRATA_ASSIGN_OR_RETURN(std::optional<backfill::RunStatus> one,
                            backfill::ReadRunStatus(*conn, f.job));
    if (one) runs.push_back(std::move(*one));
  }
  nlohmann::json list = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : runs) {
    list.push_back(StatusJson(s));
    const std::string keys = s.run.total_keys
                                 ? fmt::format("{}/{}", s.totals.keys_done, *s.run.total_keys)
                                 : std::to_string(s.totals.keys_done);
    rows.push_back({s.run.job, std::to_string(s.run.run_no), backfill::RunStateName(s.run.state),
                    fmt::format("{}/{}", s.totals.done, s.totals.chunks),
                    std::to_string(s.totals.failed), keys, std::to_string(s.totals.rows_written),
                    fmt::format("{:.0f}", s.keys_per_second),
                    s.eta_seconds ? FormatDuration(milliseconds(*s.eta_seconds * 1000)) : "",
                    s.run.throttle_reason.empty() ? s.run.last_error : s.run.throttle_reason});
  }
  ctx.out().Json({{"runs", list}});
  if (runs.empty()) {
    ctx.out().Line(f.job.empty() ? "no backfill runs in this database"
                                 : fmt::format("{} has no run in this database", f.job));
    return Ok();
  }
  ctx.out().Table(
      {"Job", "Run", "State", "Chunks", "Failed", "Keys", "Rows written", "Keys/s", "ETA", "Note"},
      rows);
  for (const auto& s : runs) PrintFailed(ctx.out(), s.failed);
  return Ok();
}

using Transition = Result<backfill::RunRow> (*)(db::Connection&, std::string_view);

Status RunTransition(Context& ctx, const JobFlags& f, Transition transition, const char* verb) {
  STRATA_TRY(FindJob(f.job));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  STRATA_ASSIGN_OR_RETURN(backfill::RunRow run, transition(*conn, f.job));
  ctx.out().Json(
      {{"job", f.job}, {"run_no", run.run_no}, {"state", backfill::RunStateName(run.state)}});
  ctx.out().Line(fmt::format("{} run {} of {}: now {}", verb, run.run_no, f.job,
                             backfill::RunStateName(run.state)));
  return Ok();
}

Status RunRedrive(Context& ctx, const JobFlags& f) {
  STRATA_TRY(FindJob(f.job));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  STRATA_ASSIGN_OR_RETURN(auto result, backfill::RedriveRun(*conn, f.job));
  const auto& [run, chunks] = result;
  ctx.out().Json({{"job", f.job},
                  {"run_no", run.run_no},
                  {"state", backfill::RunStateName(run.state)},
                  {"chunks_redriven", chunks}});
  ctx.out().Line(
      fmt::format("redrove run {} of {}: {} failed chunk{} back to pending; continue "
                  "with `strata backfill run {}`",
                  run.run_no, f.job, chunks, chunks == 1 ? "" : "s", f.job));
  return Ok();
}

void AddRunFlags(CLI::App* cmd, RunFlags& f) {
  cmd->add_option("JOB", f.job, "Job name (see `strata backfill list`)")->required();
  cmd->add_option("--param", f.params, "Job parameter NAME=VALUE (repeatable)");
  cmd->add_option("--workers", f.workers,
                  "Worker threads, each with its own connection (default 1)");
  cmd->add_option("--max-rows-per-second", f.max_rows_per_second,
                  "Rows written per second by this process, at most (default 0: no ceiling)");
  cmd->add_option("--chunk-target", f.chunk_target, "Time per chunk to aim for (default 500ms)");
  cmd->add_option("--max-attempts", f.max_attempts,
                  "Attempts per chunk before it is parked as failed (default 5)");
  cmd->add_option("--max-replica-lag", f.max_replica_lag,
                  "Hold while a replica lags more than this (default 5s)");
  cmd->add_option("--max-connections-fraction", f.max_connections_fraction,
                  "PostgreSQL: hold while connections exceed this share of max_connections "
                  "(default 0.9)");
  cmd->add_option("--max-threads-running", f.max_threads_running,
                  "MariaDB: hold while Threads_running exceeds this (default 25)");
  cmd->add_option("--statement-timeout", f.statement_timeout,
                  "Per statement, on every worker session (default 30s)");
  cmd->add_option("--lock-timeout", f.lock_timeout, "Lock waits, per worker session (default 5s)");
  cmd->add_option("--reclaim-after", f.reclaim_after,
                  "Take over chunks whose worker sent no heartbeat for this long (default 60s)");
}

// ---- Job steps inside migrate -----------------------------------------------------------------

class CliJobStepRunner : public migrations::JobStepRunner {
 public:
  explicit CliJobStepRunner(Context& ctx) : ctx_(ctx) {}

  Status Check(const migrations::JobStep& step) const override {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, Bind(step));
    return Ok();
  }

  Result<std::vector<std::string>> DescribeSql(const migrations::JobStep& step,
                                               db::Dialect dialect) const override {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, Bind(step));
    return job->DescribeSql(dialect);
  }

  Result<migrations::JobStepOutcome> Run(const migrations::JobStep& step) override {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, Bind(step));
    // The same settings as `strata backfill run` without flags: the backfill_* keys.
    STRATA_ASSIGN_OR_RETURN(backfill::ExecutorOptions options,
                            ExecutorOptionsFor(ctx_.config(), RunFlags{}));
    STRATA_ASSIGN_OR_RETURN(backfill::ExecutorDeps deps,
                            ExecutorDepsFor(ctx_, "strata migrate " + step.job));
    StopOnSignals signals;
    deps.stop = &g_stop;
    CliRunListener listener(ctx_.out(), step.job, /*events=*/false);
    Result<backfill::RunSummary> summary =
        backfill::RunJob(step.job, *job, options, deps, listener);
    listener.Clear();
    if (!summary) return std::move(summary).error();
    ctx_.out().Line("  " + SummaryLine(step.job, *summary));
    PrintFailed(ctx_.out(), summary->failed);
    STRATA_TRY(OutcomeStatus(step.job, *summary));
    return migrations::JobStepOutcome{summary->run_no, summary->resumed,
                                      summary->totals.rows_written, summary->totals.rows_present};
  }

 private:
  static Result<std::unique_ptr<backfill::BoundJob>> Bind(const migrations::JobStep& step) {
    STRATA_ASSIGN_OR_RETURN(const backfill::JobDefinition* def, FindJob(step.job));
    return def->Bind(step.params);
  }

  Context& ctx_;
};

}  // namespace

std::unique_ptr<migrations::JobStepRunner> MakeJobStepRunner(Context& ctx) {
  return std::make_unique<CliJobStepRunner>(ctx);
}

void RegisterBackfillCommands(CLI::App& app, CommandTable& table) {
  CLI::App* backfill = app.add_subcommand("backfill", "Run native backfill jobs, resumably");
  backfill->require_subcommand(1);

  CLI::App* list = backfill->add_subcommand("list", "List the jobs strata knows");
  table.Add(list, [](Context& ctx) { return RunList(ctx); });

  auto plan_flags = std::make_shared<RunFlags>();
  CLI::App* plan = backfill->add_subcommand("plan", "Show a job's parameters, chunking and SQL");
  AddRunFlags(plan, *plan_flags);
  table.Add(plan, [plan_flags](Context& ctx) { return RunPlan(ctx, *plan_flags); });

  auto run_flags = std::make_shared<RunFlags>();
  CLI::App* run = backfill->add_subcommand(
      "run", "Run a job to completion (resumes its unfinished run); --dry-run writes nothing");
  AddRunFlags(run, *run_flags);
  run->add_flag("--dry-run", run_flags->dry_run,
                "Count and sample what would be written, in read-only transactions");
  run->add_option("--sample-chunks", run_flags->sample_chunks,
                  "With --dry-run: execute this many chunks and roll them back, for timings");
  run->add_option("--plan-chunk-keys", run_flags->plan_chunk_keys,
                  "With --dry-run: keys per planned chunk (default 1000)");
  table.Add(run, [run_flags](Context& ctx) { return RunRun(ctx, *run_flags); });

  auto status_flags = std::make_shared<JobFlags>();
  CLI::App* status = backfill->add_subcommand("status", "Progress, rate, ETA and failed chunks");
  status->add_option("JOB", status_flags->job, "Only this job");
  table.Add(status, [status_flags](Context& ctx) { return RunStatusCommand(ctx, *status_flags); });

  struct Verb {
    const char* name;
    const char* help;
    Transition fn;
    const char* done;
  };
  for (const Verb& v :
       {Verb{"pause", "Hold every worker of the job's run", backfill::PauseRun, "paused"},
        Verb{"resume", "Let a paused run continue", backfill::ResumeRun, "resumed"},
        Verb{"cancel", "Stop the job's run for good", backfill::CancelRun, "cancelled"}}) {
    auto flags = std::make_shared<JobFlags>();
    CLI::App* cmd = backfill->add_subcommand(v.name, v.help);
    cmd->add_option("JOB", flags->job, "Job name")->required();
    table.Add(cmd, [flags, v](Context& ctx) { return RunTransition(ctx, *flags, v.fn, v.done); });
  }

  auto redrive_flags = std::make_shared<JobFlags>();
  CLI::App* redrive =
      backfill->add_subcommand("redrive", "Put the run's failed chunks back to pending");
  redrive->add_option("JOB", redrive_flags->job, "Job name")->required();
  table.Add(redrive, [redrive_flags](Context& ctx) { return RunRedrive(ctx, *redrive_flags); });
}

}  // namespace strata::cli
