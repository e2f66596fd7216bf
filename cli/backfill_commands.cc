// `strata backfill list | plan | run | status | pause | resume | cancel | redrive`: native
// backfill jobs run by the engine in backfill/ (see docs/backfill.md). Flags and settings are in
// backfill_settings.h, what the commands print in backfill_render.h.
#include <fmt/format.h>

#include <memory>
#include <optional>

#include "backfill/control.h"
#include "backfill/dry_run.h"
#include "backfill/executor.h"
#include "base/duration.h"
#include "cli/backfill_render.h"
#include "cli/backfill_settings.h"
#include "cli/command.h"
#include "cli/stop_signals.h"

namespace strata::cli {
namespace {

struct JobFlags {
  std::string job;  // positional JOB (optional for status)
};

// ---- list, plan -----------------------------------------------------------------------------

Status RunList(Context& ctx) {
  nlohmann::json jobs = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const backfill::JobDefinition* job : BackfillJobs().All()) {
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

Status RunPlan(Context& ctx, const BackfillRunFlags& f) {
  STRATA_ASSIGN_OR_RETURN(const backfill::JobDefinition* def, FindBackfillJob(f.job));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, BindBackfillJob(f));
  STRATA_ASSIGN_OR_RETURN(backfill::ExecutorOptions options, ExecutorOptionsFor(ctx.config(), f));
  // Without a target the plan shows the SQL of every engine strata speaks.
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

// ---- run ------------------------------------------------------------------------------------

Status RunDry(Context& ctx, const BackfillRunFlags& f, const backfill::BoundJob& job, int workers) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  backfill::DryRunOptions o;
  o.chunk_keys = f.plan_chunk_keys;
  o.sample_chunks = f.sample_chunks;
  o.workers = workers;
  backfill::DryRunListener listener;
  StopOnSignals signals;
  STRATA_ASSIGN_OR_RETURN(backfill::DryRunReport report,
                          backfill::DryRun(*conn, job, o, listener, signals.stop_requested()));
  return ReportDryRun(ctx.out(), f.job, job, *conn, o, report);
}

Status RunRun(Context& ctx, const BackfillRunFlags& f) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, BindBackfillJob(f));
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
  deps.stop = signals.stop_requested();
  BackfillProgress progress(ctx.out(), f.job);
  Result<backfill::RunSummary> summary = backfill::RunJob(f.job, *job, options, deps, progress);
  progress.Clear();
  if (!summary) return std::move(summary).error();
  return ReportRunSummary(ctx.out(), f.job, *summary);
}

// ---- status, pause, resume, cancel, redrive -------------------------------------------------

Status RunStatusCommand(Context& ctx, const JobFlags& f) {
  if (!f.job.empty()) STRATA_TRY(FindBackfillJob(f.job));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  std::vector<backfill::RunStatus> runs;
  if (f.job.empty()) {
    STRATA_ASSIGN_OR_RETURN(runs, backfill::ReadAllRunStatus(*conn));
  } else {
    STRATA_ASSIGN_OR_RETURN(std::optional<backfill::RunStatus> one,
                            backfill::ReadRunStatus(*conn, f.job));
    if (one) runs.push_back(std::move(*one));
  }
  ReportRunStatus(ctx.out(), f.job, runs);
  return Ok();
}

using Transition = Result<backfill::RunRow> (*)(db::Connection&, std::string_view);

Status RunTransition(Context& ctx, const JobFlags& f, Transition transition, const char* verb) {
  STRATA_TRY(FindBackfillJob(f.job));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  STRATA_ASSIGN_OR_RETURN(backfill::RunRow run, transition(*conn, f.job));
  ctx.out().Json(
      {{"job", f.job}, {"run_no", run.run_no}, {"state", backfill::RunStateName(run.state)}});
  ctx.out().Line(fmt::format("{} run {} of {}: now {}", verb, run.run_no, f.job,
                             backfill::RunStateName(run.state)));
  return Ok();
}

Status RunRedrive(Context& ctx, const JobFlags& f) {
  STRATA_TRY(FindBackfillJob(f.job));
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

}  // namespace

void RegisterBackfillCommands(CLI::App& app, CommandTable& table) {
  CLI::App* backfill = app.add_subcommand("backfill", "Run native backfill jobs, resumably");
  backfill->require_subcommand(1);

  CLI::App* list = backfill->add_subcommand("list", "List the jobs strata knows");
  table.Add(list, [](Context& ctx) { return RunList(ctx); });

  auto plan_flags = std::make_shared<BackfillRunFlags>();
  CLI::App* plan = backfill->add_subcommand("plan", "Show a job's parameters, chunking and SQL");
  AddBackfillRunFlags(plan, *plan_flags);
  table.Add(plan, [plan_flags](Context& ctx) { return RunPlan(ctx, *plan_flags); });

  auto run_flags = std::make_shared<BackfillRunFlags>();
  CLI::App* run = backfill->add_subcommand(
      "run", "Run a job to completion (resumes its unfinished run); --dry-run writes nothing");
  AddBackfillRunFlags(run, *run_flags);
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
