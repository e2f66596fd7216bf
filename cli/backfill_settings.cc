#include "cli/backfill_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string_view>

#include "backfill/control.h"
#include "backfill/jobs/builtin.h"
#include "base/duration.h"
#include "cli/suggest.h"
#include "db/open.h"

namespace strata::cli {
namespace {

using std::chrono::milliseconds;

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

// How a message names a setting: the flag when it was given, else the source of its
// backfill_* key (strata.toml:7:19: backfill_workers, STRATA_BACKFILL_WORKERS, …).
std::string Source(const std::optional<std::string>& flag, const Config& c, const char* key,
                   const char* flag_name) {
  return flag ? std::string(flag_name) : c.Describe(key);
}

}  // namespace

void AddBackfillRunFlags(CLI::App* cmd, BackfillRunFlags& f) {
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

const backfill::JobRegistry& BackfillJobs() {
  static const backfill::JobRegistry* registry = [] {
    auto* r = new backfill::JobRegistry();  // lives for the process
    backfill::RegisterBuiltinJobs(*r);
    backfill::RegisterExtraJobs(*r);
    return r;
  }();
  return *registry;
}

Result<const backfill::JobDefinition*> FindBackfillJob(const std::string& name) {
  const backfill::JobDefinition* job = BackfillJobs().Find(name);
  if (job != nullptr) return job;
  std::vector<std::string> names;
  for (const auto* j : BackfillJobs().All()) names.emplace_back(j->name());
  if (auto best = ClosestMatch(name, names)) {
    return Err(ErrorCode::kNotFound,
               fmt::format("no backfill job named '{}'. Did you mean '{}'? (see `strata backfill "
                           "list`)",
                           name, *best));
  }
  return Err(ErrorCode::kNotFound,
             fmt::format("no backfill job named '{}' (jobs: {}; see `strata backfill list`)", name,
                         fmt::join(names, ", ")));
}

Result<std::unique_ptr<backfill::BoundJob>> BindBackfillJob(const BackfillRunFlags& f) {
  STRATA_ASSIGN_OR_RETURN(const backfill::JobDefinition* def, FindBackfillJob(f.job));
  STRATA_ASSIGN_OR_RETURN(backfill::ParamValues values, ParseParams(f.params));
  return def->Bind(values);
}

Result<backfill::ExecutorOptions> ExecutorOptionsFor(const Config& c, const BackfillRunFlags& f) {
  backfill::ExecutorOptions o;
  STRATA_ASSIGN_OR_RETURN(std::int64_t workers,
                          ParseInt(f.workers.value_or(c.backfill_workers),
                                   Source(f.workers, c, "backfill_workers", "--workers"), 1));
  o.workers = static_cast<int>(std::min<std::int64_t>(workers, 256));
  STRATA_ASSIGN_OR_RETURN(
      o.throttle.max_rows_per_second,
      ParseNumber(f.max_rows_per_second.value_or(c.backfill_max_rows_per_second),
                  Source(f.max_rows_per_second, c, "backfill_max_rows_per_second",
                         "--max-rows-per-second")));
  STRATA_ASSIGN_OR_RETURN(
      o.chunk_target,
      ParsePositiveDuration(f.chunk_target.value_or(c.backfill_chunk_target),
                            Source(f.chunk_target, c, "backfill_chunk_target", "--chunk-target")));
  STRATA_ASSIGN_OR_RETURN(
      std::int64_t attempts,
      ParseInt(f.max_attempts.value_or(c.backfill_max_attempts),
               Source(f.max_attempts, c, "backfill_max_attempts", "--max-attempts"), 1));
  o.max_attempts = static_cast<int>(std::min<std::int64_t>(attempts, 1000));
  STRATA_ASSIGN_OR_RETURN(
      o.throttle.max_replica_lag,
      ParsePositiveDuration(
          f.max_replica_lag.value_or(c.backfill_max_replica_lag),
          Source(f.max_replica_lag, c, "backfill_max_replica_lag", "--max-replica-lag")));
  STRATA_ASSIGN_OR_RETURN(
      o.throttle.max_connections_fraction,
      ParseNumber(f.max_connections_fraction.value_or(c.backfill_max_connections_fraction),
                  Source(f.max_connections_fraction, c, "backfill_max_connections_fraction",
                         "--max-connections-fraction")));
  STRATA_ASSIGN_OR_RETURN(o.throttle.max_threads_running,
                          ParseInt(f.max_threads_running.value_or(c.backfill_max_threads_running),
                                   Source(f.max_threads_running, c, "backfill_max_threads_running",
                                          "--max-threads-running"),
                                   0));
  STRATA_ASSIGN_OR_RETURN(
      o.statement_timeout,
      ParsePositiveDuration(
          f.statement_timeout.value_or(c.backfill_statement_timeout),
          Source(f.statement_timeout, c, "backfill_statement_timeout", "--statement-timeout")));
  STRATA_ASSIGN_OR_RETURN(
      o.lock_timeout,
      ParsePositiveDuration(f.lock_timeout.value_or(c.backfill_lock_timeout),
                            Source(f.lock_timeout, c, "backfill_lock_timeout", "--lock-timeout")));
  STRATA_ASSIGN_OR_RETURN(o.reclaim_after,
                          ParsePositiveDuration(f.reclaim_after.value_or(c.backfill_reclaim_after),
                                                Source(f.reclaim_after, c, "backfill_reclaim_after",
                                                       "--reclaim-after")));
  return o;
}

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

}  // namespace strata::cli
