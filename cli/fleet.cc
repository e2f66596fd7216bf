#include "cli/fleet.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/fleet_live.h"
#include "cli/fleet_schedule.h"
#include "cli/fleet_targets.h"
#include "cli/stop_signals.h"
#include "db/url.h"

namespace strata::cli {
namespace {

// The commands a fleet runs: those that work on one target given by --url. The others either
// need no database (sum, lint, config show, backfill list/plan), would write one file from every
// target (schema dump) or are too blunt to fan out (clean). `schema diff` compares each target
// with the one reference database --to names.
const std::set<std::string, std::less<>> kFleetCommands = {"migrate",         "info",
                                                           "validate",        "baseline",
                                                           "repair",          "undo",
                                                           "db ping",         "schema fingerprint",
                                                           "schema verify",   "schema diff",
                                                           "backfill run",    "backfill status",
                                                           "backfill pause",  "backfill resume",
                                                           "backfill cancel", "backfill redrive"};

// What one target's run came to.
struct TargetOutcome {
  std::string status = "not_run";  // ok | failed | not_run
  int exit_code = 0;
  nlohmann::json result = nullptr;  // the command's own --json document
  nlohmann::json error = nullptr;   // {"kind", "exit_code", "message"} when it failed
  std::optional<Error> failure;     // the command's error, for the fleet's own
  nlohmann::json version_before = nullptr;
  nlohmann::json version_after = nullptr;
  std::int64_t duration_ms = 0;
};

// ---- One target ---------------------------------------------------------------------------

bool PlainIdentifier(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

// A PostgreSQL URL whose sessions start with `schema` as their search_path, so that the
// commands that do not open migration connections (backfill, which finds its tables by name)
// see the tenant's schema too. Left as it is for other engines, for a URL that sets `options`
// already, and for a schema name libpq's options syntax would need escaping for.
std::string WithSearchPath(const std::string& text, const std::string& schema) {
  auto url = db::ParseUrl(text);
  if (!url || url->dialect != db::Dialect::kPostgres || url->Param("options") ||
      !PlainIdentifier(schema)) {
    return text;
  }
  const std::string_view separator = text.find('?') == std::string::npos ? "?" : "&";
  return fmt::format("{}{}options=-csearch_path%3D{}", text, separator, schema);
}

// The configuration of one target: the fleet's, with the target's URL, schema and password file.
Config ConfigFor(const Config& base, const FleetTarget& target) {
  Config config = base;
  config.url = target.url;
  config.fleet_target = target.name;
  config.sources["url"] = SettingSource::File(target.where);
  if (!target.schema.empty()) {
    // Schema per tenant: the session's default schema, where the history table goes, and what
    // schema commands look at.
    config.url = WithSearchPath(target.url, target.schema);
    config.default_schema = target.schema;
    config.schema = target.schema;
    config.schemas = {target.schema};
  }
  if (!target.password_file.empty()) config.password_file = target.password_file;
  return config;
}

// A target's own password file wins over the process's password variables.
Getenv GetenvFor(const Getenv& base, const FleetTarget& target) {
  if (target.password_file.empty()) return base;
  return [base](const std::string& name) -> std::optional<std::string> {
    if (name == "STRATA_PASSWORD" || name == "FLYWAY_PASSWORD") return std::nullopt;
    return base(name);
  };
}

// The last line of a command's stdout: its document (`backfill run` streams events before it).
nlohmann::json LastDocument(const std::string& text) {
  std::string_view view = text;
  while (!view.empty() && view.back() == '\n') view.remove_suffix(1);
  const std::size_t nl = view.rfind('\n');
  if (nl != std::string_view::npos) view.remove_prefix(nl + 1);
  return nlohmann::json::parse(view, nullptr, false);
}

void ReadVersions(const nlohmann::json& doc, TargetOutcome& outcome) {
  if (!doc.is_object()) return;
  if (doc.contains("initial_version")) outcome.version_before = doc["initial_version"];
  if (doc.contains("final_version")) outcome.version_after = doc["final_version"];
  if (doc.contains("current_version")) {
    outcome.version_before = doc["current_version"];
    outcome.version_after = doc["current_version"];
  }
  if (doc.contains("baseline_version")) outcome.version_after = doc["baseline_version"];
}

TargetOutcome RunTarget(const FleetRun& run, const FleetTarget& target, std::size_t index,
                        FleetReporter& reporter) {
  const auto start = std::chrono::steady_clock::now();
  std::ostringstream captured_out;
  std::ostringstream captured_err;
  // Always a document: the fleet reads it, and prints its own lines.
  Output out(captured_out, captured_err, /*json=*/true, /*color=*/false);
  out.SetCommand(run.command);
  out.Observe({[&](std::string_view line) { reporter.Said(index, line); },
               [&](const nlohmann::json& event) { reporter.Sent(index, event); }});
  Context ctx(ConfigFor(run.config, target), out, GetenvFor(run.getenv, target));
  ctx.set_fleet_target(target.name);
  Status status = Ok();
  try {
    status = (*run.fn)(ctx);
  } catch (const std::exception& e) {
    // A command never throws; if one did, it is this target's failure, not the fleet's crash.
    status = Err(ErrorCode::kInternal, fmt::format("unexpected exception: {}", e.what()));
  }
  TargetOutcome outcome;
  outcome.exit_code = out.Finish(status);
  outcome.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  outcome.status = status ? "ok" : "failed";
  if (!status) outcome.failure = status.error();
  outcome.result = LastDocument(captured_out.str());
  if (outcome.result.is_object() && outcome.result.contains("error")) {
    outcome.error = outcome.result["error"];
  }
  ReadVersions(outcome.result, outcome);
  // Warnings and logs of the target, each line naming it; its error is in the target's line.
  std::istringstream err_lines(captured_err.str());
  for (std::string line; std::getline(err_lines, line);) {
    if (line.starts_with("strata: error:")) continue;
    const std::string_view prefix = "strata: warning: ";
    reporter.Warning(fmt::format("{}: {}", target.name,
                                 line.starts_with(prefix) ? line.substr(prefix.size()) : line));
  }
  return outcome;
}

// ---- Rendering ----------------------------------------------------------------------------

std::string VersionShown(const nlohmann::json& version) {
  return version.is_string() ? version.get<std::string>() : "<none>";
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string ErrorLine(const TargetOutcome& o) {
  return o.failure ? FirstLine(o.failure->message) : std::string();
}

// "tenant_a  ok  3 -> 5  120 ms", as each target finishes.
// Whether the target's document is a dry run's: its final version is the one it would reach.
bool IsDryRun(const TargetOutcome& o) {
  return o.result.is_object() && o.result.value("dry_run", false);
}

std::string TargetLine(const Output& out, const FleetTarget& target, const TargetOutcome& o) {
  std::string versions;
  if (!o.version_before.is_null() || !o.version_after.is_null()) {
    versions = o.version_before == o.version_after
                   ? VersionShown(o.version_after)
                   : fmt::format("{} -> {}", VersionShown(o.version_before),
                                 VersionShown(o.version_after));
  }
  const std::string state = o.status == "ok" ? out.Green("ok") : out.Red("failed");
  std::string line = fmt::format("{}  {}", target.name, state);
  if (!versions.empty()) line += "  " + versions;
  if (IsDryRun(o)) line += "  (dry run: nothing applied)";
  line += fmt::format("  {} ms", o.duration_ms);
  if (o.status != "ok") line += fmt::format("  exit {}: {}", o.exit_code, ErrorLine(o));
  return line;
}

// What the successful targets are grouped by: the fingerprint for `schema fingerprint`, the
// version where the command has one, else nothing (one group).
std::string GroupKey(const std::string& command, const TargetOutcome& o, std::string& prefix) {
  if (command == "schema fingerprint" && o.result.is_object() && o.result.contains("fingerprint")) {
    prefix = "with fingerprint ";
    return o.result["fingerprint"].get<std::string>().substr(0, 12);
  }
  if (command == "schema diff" && o.result.is_object() && o.result.contains("to")) {
    prefix = "equal to ";
    return o.result["to"].get<std::string>();
  }
  if (!o.version_after.is_null() || !o.version_before.is_null()) {
    prefix = IsDryRun(o) ? "would reach version " : "at version ";
    return VersionShown(o.version_after);
  }
  prefix = "";
  return "ok";
}

std::string Summary(const std::string& command, const std::vector<FleetTarget>& targets,
                    const std::vector<TargetOutcome>& outcomes, const std::string& stop_reason) {
  std::vector<std::string> ok_names;
  std::vector<std::string> ok_keys;
  std::vector<std::string> failed;
  std::vector<std::string> failures;
  std::vector<std::string> not_run;
  std::string prefix;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const TargetOutcome& o = outcomes[i];
    if (o.status == "ok") {
      ok_names.push_back(targets[i].name);
      ok_keys.push_back(GroupKey(command, o, prefix));
    } else if (o.status == "failed") {
      failed.push_back(targets[i].name);
      failures.push_back(ErrorLine(o));
    } else {
      not_run.push_back(targets[i].name);
    }
  }
  std::vector<std::string> parts;
  if (!ok_names.empty()) parts.push_back(DescribeGroups(GroupBy(ok_names, ok_keys), prefix));
  if (!failed.empty()) parts.push_back(DescribeFailures(failed, failures));
  if (!not_run.empty()) {
    parts.push_back(fmt::format("{} not run ({})", not_run.size(),
                                stop_reason.empty() ? "stopped" : stop_reason));
  }
  if (parts.empty()) parts.emplace_back("nothing to do");
  return fmt::format("{} target{}: {}", targets.size(), targets.size() == 1 ? "" : "s",
                     fmt::join(parts, ", "));
}

nlohmann::json FleetJson(const std::vector<FleetTarget>& targets,
                         const std::vector<TargetOutcome>& outcomes, const std::string& summary,
                         const std::string& stop_reason, int exit_code) {
  nlohmann::json list = nlohmann::json::array();
  int ok = 0;
  int failed = 0;
  int not_run = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const TargetOutcome& o = outcomes[i];
    ok += o.status == "ok" ? 1 : 0;
    failed += o.status == "failed" ? 1 : 0;
    not_run += o.status == "not_run" ? 1 : 0;
    list.push_back({{"name", targets[i].name},
                    {"schema", targets[i].schema.empty() ? nlohmann::json(nullptr)
                                                         : nlohmann::json(targets[i].schema)},
                    {"status", o.status},
                    {"exit_code", o.exit_code},
                    {"version_before", o.version_before},
                    {"version_after", o.version_after},
                    {"duration_ms", o.duration_ms},
                    {"result", o.result},
                    {"error", o.error}});
  }
  return {
      {"fleet", true},
      {"targets", std::move(list)},
      {"summary",
       {{"total", targets.size()},
        {"ok", ok},
        {"failed", failed},
        {"not_run", not_run},
        {"stopped", stop_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(stop_reason)},
        {"exit_code", exit_code},
        {"text", summary}}}};
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // XML 1.0 allows no control characters but tab and newlines.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
    }
  }
  return out;
}

// A JUnit XML report: one test case per target, a failure element for a failed target, a
// skipped element for one that never ran.
std::string JunitXml(const std::string& command, const std::vector<FleetTarget>& targets,
                     const std::vector<TargetOutcome>& outcomes) {
  int failures = 0;
  int skipped = 0;
  std::int64_t total_ms = 0;
  for (const TargetOutcome& o : outcomes) {
    failures += o.status == "failed" ? 1 : 0;
    skipped += o.status == "not_run" ? 1 : 0;
    total_ms += o.duration_ms;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format(
      "<testsuite name=\"strata {}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" "
      "time=\"{:.3f}\">\n",
      XmlEscape(command), targets.size(), failures, skipped, static_cast<double>(total_ms) / 1000);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const TargetOutcome& o = outcomes[i];
    xml += fmt::format("  <testcase classname=\"strata {}\" name=\"{}\" time=\"{:.3f}\"",
                       XmlEscape(command), XmlEscape(targets[i].name),
                       static_cast<double>(o.duration_ms) / 1000);
    if (o.status == "ok") {
      xml += "/>\n";
      continue;
    }
    xml += ">\n";
    if (o.status == "failed") {
      const std::string message = o.failure ? o.failure->message : "failed";
      xml += fmt::format("    <failure message=\"{}\" type=\"exit {}\">{}</failure>\n",
                         XmlEscape(FirstLine(message)), o.exit_code, XmlEscape(message));
    } else {
      xml += "    <skipped message=\"not run\"/>\n";
    }
    xml += "  </testcase>\n";
  }
  xml += "</testsuite>\n";
  return xml;
}

// A failed target's row in the live view: "exit 1: <the error's first line>".
std::string ErrorDetail(const TargetOutcome& o) {
  return o.status == "ok" ? std::string() : fmt::format("exit {}: {}", o.exit_code, ErrorLine(o));
}

// The live view on a terminal (cli/fleet_live.h), else a line per target.
std::unique_ptr<FleetReporter> MakeReporter(const FleetFlags& flags, const FleetRun& run,
                                            const std::vector<FleetTarget>& targets, Output& out) {
  if (run.terminal == nullptr || flags.no_live) return FleetReporter::Plain(out);
  std::vector<std::string> names;
  names.reserve(targets.size());
  for (const FleetTarget& target : targets) names.push_back(target.name);
  return FleetReporter::Live(out, *run.terminal, STDOUT_FILENO, run.command, std::move(names));
}

// ---- Choosing the targets -------------------------------------------------------------------

Status CheckFlags(const FleetFlags& flags, const FleetRun& run) {
  if (!kFleetCommands.contains(run.command)) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("strata {} does not run on a fleet; fleets run: migrate, info, "
                           "validate, baseline, repair, undo, db ping, schema fingerprint, "
                           "schema verify, schema diff --to REFERENCE, backfill "
                           "run/status/pause/resume/cancel/redrive",
                           run.command));
  }
  if (run.url_flag) {
    return Err(ErrorCode::kInvalidArgument,
               "--url names one target; a fleet's targets come from [[targets]] or --targets: "
               "drop --url or the target selection");
  }
  for (const auto& [flag, path] : run.file_flags) {
    if (path.find("{target}") == std::string::npos) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{} {}: every target of the fleet would write this one file; put "
                             "{{target}} in the path for a file per target, e.g. {} "
                             "'out/{{target}}.sql'",
                             flag, path, flag));
    }
  }
  if (flags.parallel < 1 || flags.canary < 0 || flags.max_failures < 0) {
    return Err(ErrorCode::kInvalidArgument,
               "--parallel must be at least 1, --canary and --max-failures at least 0");
  }
  return Ok();
}

Result<std::vector<FleetTarget>> ChooseTargets(const FleetFlags& flags, const FleetRun& run) {
  std::vector<FleetTarget> defined;
  if (!flags.targets_file.empty()) {
    STRATA_ASSIGN_OR_RETURN(defined, LoadTargetsFile(flags.targets_file, run.getenv));
  } else {
    STRATA_ASSIGN_OR_RETURN(defined, LoadConfigTargets(run.config.file, run.getenv));
  }
  if (defined.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               "no targets defined: add [[targets]] to strata.toml or name a file with --targets");
  }
  TargetSelection selection{flags.target_names, flags.labels, flags.all_targets, std::nullopt};
  if (!flags.retry_failed.empty()) {
    STRATA_ASSIGN_OR_RETURN(selection.only, FailedTargetNames(flags.retry_failed));
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<FleetTarget> selected, SelectTargets(defined, selection));
  if (!flags.shard.empty()) {
    STRATA_ASSIGN_OR_RETURN(const Shard shard, ParseShard(flags.shard));
    selected = InShard(selected, shard);
  }
  if (selected.empty() && flags.retry_failed.empty() && flags.shard.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("no target matches the selection ({} targets defined)", defined.size()));
  }
  return selected;
}

// ---- Running ------------------------------------------------------------------------------

struct FleetProgress {
  std::vector<TargetOutcome> outcomes;
  std::string stop_reason;
  bool interrupted = false;
};

FleetProgress RunTargets(const FleetFlags& flags, const FleetRun& run,
                         const std::vector<FleetTarget>& targets, Output& out,
                         FleetReporter& reporter) {
  const FleetStopSignals signals;
  FleetProgress progress;
  progress.outcomes.resize(targets.size());
  FleetScheduler scheduler(targets.size(), {flags.parallel, flags.canary, flags.max_failures});
  std::mutex mutex;  // guards scheduler and progress
  std::condition_variable changed;
  auto worker = [&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      if (signals.scheduling_stopped()->load()) scheduler.Stop();
      std::optional<std::size_t> next = scheduler.Next();
      if (!next) {
        if (scheduler.Done()) break;
        // Polled too, for a signal that arrives while every slot waits.
        changed.wait_for(lock, std::chrono::milliseconds(50));
        continue;
      }
      reporter.Started(*next);
      lock.unlock();
      TargetOutcome outcome = RunTarget(run, targets[*next], *next, reporter);
      lock.lock();
      scheduler.Finished(*next, outcome.status == "ok");
      reporter.Finished(*next, outcome.status == "ok", TargetLine(out, targets[*next], outcome),
                        ErrorDetail(outcome));
      progress.outcomes[*next] = std::move(outcome);
      changed.notify_all();
    }
  };
  const int threads = std::min<int>(flags.parallel, static_cast<int>(targets.size()));
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(std::max(threads - 1, 0)));
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  if (threads > 0) worker();
  for (std::thread& t : pool) t.join();
  progress.stop_reason = scheduler.stop_reason();
  progress.interrupted = signals.scheduling_stopped()->load();
  return progress;
}

}  // namespace

void AddFleetOptions(CLI::App& app, FleetFlags& flags) {
  app.add_option("--targets", flags.targets_file,
                 "Fleet: a file of targets ([[targets]] tables as in strata.toml, or one URL a "
                 "line); default: the [[targets]] of strata.toml");
  app.add_option("--target-name", flags.target_names,
                 "Fleet: run on the target of this name (repeatable)");
  app.add_option("--label", flags.labels,
                 "Fleet: run on the targets with this label, key=value (repeatable: all match)");
  app.add_flag("--all-targets", flags.all_targets, "Fleet: run on every target");
  app.add_option("--retry-failed", flags.retry_failed,
                 "Fleet: run on the targets that did not succeed in this earlier --json result");
  app.add_option("--parallel", flags.parallel, "Fleet: targets run at once (default 1)");
  app.add_option("--canary", flags.canary,
                 "Fleet: run the first N targets alone first; stop if one fails (default 0)");
  app.add_option("--max-failures", flags.max_failures,
                 "Fleet: start no new target after K failures (default 0: no limit)");
  app.add_option("--shard", flags.shard,
                 "Fleet: run only shard I of N (I from 0), split by a hash of the target name");
  app.add_option("--junit", flags.junit, "Fleet: also write a JUnit XML report, a case a target");
  app.add_flag("--no-live", flags.no_live,
               "Fleet: no live view on a terminal; a line per target as it finishes");
}

std::vector<std::pair<std::string, std::string>> FileOutputFlags(const CLI::App& app) {
  // The command-line options that name a file a fleet command writes.
  static const std::vector<std::string> kFileOptions = {"--dry-run-output"};
  std::vector<std::pair<std::string, std::string>> given;
  const CLI::App* command = &app;
  while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
  for (const std::string& name : kFileOptions) {
    const CLI::Option* option = command->get_option_no_throw(name);
    if (option != nullptr && option->count() > 0)
      given.emplace_back(name, option->as<std::string>());
  }
  return given;
}

int RunFleet(const FleetFlags& flags, const FleetRun& run, Output& out) {
  if (Status ok = CheckFlags(flags, run); !ok) return out.Finish(ok, "usage");
  auto targets = ChooseTargets(flags, run);
  if (!targets) return out.Finish(std::move(targets).error());
  const std::unique_ptr<FleetReporter> reporter = MakeReporter(flags, run, *targets, out);
  const FleetProgress progress = RunTargets(flags, run, *targets, out, *reporter);
  reporter->End();

  std::vector<int> codes;
  const Error* worst_error = nullptr;
  for (const TargetOutcome& o : progress.outcomes) codes.push_back(o.exit_code);
  const int worst =
      progress.interrupted ? static_cast<int>(kExitInterrupted) : WorstExitCode(codes);
  for (const TargetOutcome& o : progress.outcomes) {
    if (o.failure && o.exit_code == worst && worst_error == nullptr) worst_error = &*o.failure;
  }
  const std::string summary = Summary(run.command, *targets, progress.outcomes,
                                      progress.interrupted ? "interrupted" : progress.stop_reason);
  out.Line(summary);
  out.Json(FleetJson(*targets, progress.outcomes, summary,
                     progress.interrupted ? "interrupted" : progress.stop_reason, worst));
  if (!flags.junit.empty()) {
    std::ofstream junit(flags.junit);
    junit << JunitXml(run.command, *targets, progress.outcomes);
    if (!junit) {
      return out.Finish(
          Err(ErrorCode::kIo, fmt::format("--junit {}: cannot write the report", flags.junit)));
    }
  }
  if (worst == 0) return out.Finish(Ok());
  // The fleet's error: the code of its worst target's, the message the summary.
  Error error = worst_error != nullptr ? *worst_error : Err(ErrorCode::kCancelled, "");
  if (progress.interrupted) error.code = ErrorCode::kCancelled;
  error.message = summary;
  return out.Finish(error);
}

}  // namespace strata::cli
