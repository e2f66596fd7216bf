// `strata schema dump | fingerprint | verify | diff`: the live schema as a canonical snapshot
// (schema/snapshot.h), for CI to compare with the committed one.
//
// Their --json documents are specified in docs/json.md.
// verify and diff exit 3 (kExitValidation) when the snapshots differ, after printing the
// unified diff (human output) or the document (--json).
#include <fmt/format.h>

#include <memory>

#include "base/file.h"
#include "cli/command.h"
#include "db/open.h"
#include "schema/diff.h"
#include "schema/snapshot.h"

namespace strata::cli {
namespace {

struct SchemaFlags {
  std::vector<std::string> schemas;  // --schemas A[,B...]; default: Config::schemas, else current
  std::string output;                // dump --output FILE; default: stdout
  std::string expected;              // verify --expected FILE (required)
  std::vector<std::string> urls;     // diff --url [A] --url B
  std::string to;                    // diff --to B: same as a second --url
};

schema::SnapshotOptions SnapshotOptionsFor(const Config& config, const SchemaFlags& flags) {
  schema::SnapshotOptions options;
  options.schemas = flags.schemas.empty() ? config.schemas : flags.schemas;
  options.excluded_tables = schema::StrataTables(config.table);
  return options;
}

// A snapshot of one target, with what messages say about it.
struct Taken {
  std::string target;  // redacted URL
  std::string text;
  std::size_t objects = 0;
};

Result<Taken> Take(db::Connection& conn, const schema::SnapshotOptions& options) {
  STRATA_ASSIGN_OR_RETURN(schema::Snapshot snapshot, schema::ReadSnapshot(conn, options));
  return Taken{conn.display_url(), snapshot.Render(), snapshot.objects.size()};
}

Result<Taken> TakeConfigured(const Context& ctx, const SchemaFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  return Take(*conn, SnapshotOptionsFor(ctx.config(), flags));
}

Status RunDump(Context& ctx, const SchemaFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(Taken taken, TakeConfigured(ctx, flags));
  const std::string fingerprint = schema::Fingerprint(taken.text);
  if (!flags.output.empty()) {
    STRATA_TRY(WriteFileAtomically(flags.output, taken.text));
    ctx.out().Line(fmt::format("wrote {}: {} objects of {}, fingerprint {}", flags.output,
                               taken.objects, taken.target, fingerprint));
  } else {
    std::string text = taken.text;
    if (!text.empty() && text.back() == '\n') text.pop_back();
    ctx.out().Line(text);
  }
  ctx.out().Json(
      {{"target", taken.target},
       {"fingerprint", fingerprint},
       {"objects", taken.objects},
       {"output", flags.output.empty() ? nlohmann::json(nullptr) : nlohmann::json(flags.output)},
       {"snapshot", taken.text}});
  return Ok();
}

Status RunFingerprint(Context& ctx, const SchemaFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(Taken taken, TakeConfigured(ctx, flags));
  const std::string fingerprint = schema::Fingerprint(taken.text);
  ctx.out().Line(fingerprint);
  ctx.out().Json(
      {{"target", taken.target}, {"fingerprint", fingerprint}, {"objects", taken.objects}});
  return Ok();
}

nlohmann::json DifferencesJson(const schema::SnapshotDiff& diff) {
  nlohmann::json list = nlohmann::json::array();
  for (const schema::ObjectChange& c : diff.objects) {
    list.push_back({{"object", c.object}, {"change", schema::ObjectChangeKindName(c.kind)}});
  }
  return list;
}

// "table event (changed), view v (added)".
std::string DifferenceSummary(const schema::SnapshotDiff& diff) {
  std::vector<std::string> names;
  names.reserve(diff.objects.size());
  for (const schema::ObjectChange& c : diff.objects) {
    names.push_back(fmt::format("{} ({})", c.object, schema::ObjectChangeKindName(c.kind)));
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

void PrintDifferences(Output& out, const schema::SnapshotDiff& diff) {
  for (const schema::ObjectChange& c : diff.objects) {
    out.Line(fmt::format("{:<8} {}", schema::ObjectChangeKindName(c.kind), c.object));
  }
  std::string unified = diff.unified;
  if (!unified.empty() && unified.back() == '\n') unified.pop_back();
  out.Line(unified);
}

std::string Objects(std::size_t n) { return fmt::format("{} object{}", n, n == 1 ? "" : "s"); }

Status RunVerify(Context& ctx, const SchemaFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(std::string expected, ReadFile(flags.expected));
  STRATA_ASSIGN_OR_RETURN(Taken live, TakeConfigured(ctx, flags));
  const schema::SnapshotDiff diff = schema::DiffSnapshots(
      expected, live.text, flags.expected + " (expected)", live.target + " (live)");
  const bool equal = expected == live.text;
  ctx.out().Json({{"equal", equal},
                  {"expected", flags.expected},
                  {"target", live.target},
                  {"expected_fingerprint", schema::Fingerprint(expected)},
                  {"fingerprint", schema::Fingerprint(live.text)},
                  {"differences", DifferencesJson(diff)},
                  {"diff", diff.unified}});
  if (equal) {
    ctx.out().Line(fmt::format("schema of {} matches {} ({}, fingerprint {})", live.target,
                               flags.expected, Objects(live.objects),
                               schema::Fingerprint(live.text)));
    return Ok();
  }
  PrintDifferences(ctx.out(), diff);
  return Err(ErrorCode::kValidation,
             fmt::format("schema of {} differs from {} in {}: {}. If the change is intended, "
                         "update the snapshot: strata schema dump --output {}",
                         live.target, flags.expected, Objects(diff.objects.size()),
                         DifferenceSummary(diff), flags.expected));
}

// The two targets of `schema diff`: --url A --url B, --url A --to B, or (with one --url or
// --to) the configured target (strata.toml, STRATA_URL, a global --url or, on a fleet, each
// target) against it.
Result<std::pair<std::string, std::string>> DiffTargets(const Context& ctx,
                                                        const SchemaFlags& flags) {
  std::vector<std::string> urls = flags.urls;
  if (!flags.to.empty()) urls.push_back(flags.to);
  if (!ctx.config().fleet_target.empty() && urls.size() != 1) {
    // Two databases named on the command line would be compared once per target, to no end.
    return Err(ErrorCode::kInvalidArgument,
               "on a fleet, schema diff compares each target with one reference database: give "
               "it as --to REFERENCE_URL");
  }
  if (urls.size() == 1 && !ctx.config().url.empty()) urls.insert(urls.begin(), ctx.config().url);
  if (urls.size() != 2) {
    return Err(ErrorCode::kInvalidArgument,
               "schema diff compares two databases: give them as --url A --url B (or --url A "
               "--to B; with one, the configured url is the first)");
  }
  return std::make_pair(urls[0], urls[1]);
}

Result<Taken> TakeUrl(const Context& ctx, const std::string& text,
                      const schema::SnapshotOptions& options) {
  STRATA_ASSIGN_OR_RETURN(db::Url url, db::ParseUrl(text));
  STRATA_ASSIGN_OR_RETURN(db::ConnectOptions connect, ctx.ConnectOptionsFor());
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(url, connect));
  return Take(*conn, options);
}

Status RunDiff(Context& ctx, const SchemaFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(auto targets, DiffTargets(ctx, flags));
  const schema::SnapshotOptions options = SnapshotOptionsFor(ctx.config(), flags);
  STRATA_ASSIGN_OR_RETURN(Taken from, TakeUrl(ctx, targets.first, options));
  STRATA_ASSIGN_OR_RETURN(Taken to, TakeUrl(ctx, targets.second, options));
  const schema::SnapshotDiff diff =
      schema::DiffSnapshots(from.text, to.text, from.target, to.target);
  const bool equal = from.text == to.text;
  ctx.out().Json({{"equal", equal},
                  {"from", from.target},
                  {"to", to.target},
                  {"from_fingerprint", schema::Fingerprint(from.text)},
                  {"to_fingerprint", schema::Fingerprint(to.text)},
                  {"differences", DifferencesJson(diff)},
                  {"diff", diff.unified}});
  if (equal) {
    ctx.out().Line(fmt::format("schemas of {} and {} are equal ({})", from.target, to.target,
                               Objects(from.objects)));
    return Ok();
  }
  PrintDifferences(ctx.out(), diff);
  return Err(ErrorCode::kValidation,
             fmt::format("schemas of {} and {} differ in {}: {}", from.target, to.target,
                         Objects(diff.objects.size()), DifferenceSummary(diff)));
}

void AddSchemasFlag(CLI::App* cmd, SchemaFlags& flags) {
  cmd->add_option("--schemas", flags.schemas,
                  "Schemas (MariaDB: databases) to read, comma-separated (default: the schemas "
                  "setting, else the connection's current schema)")
      ->delimiter(',');
}

}  // namespace

void RegisterSchemaCommands(CLI::App& app, CommandTable& table) {
  CLI::App* schema = app.add_subcommand(
      "schema", "Canonical snapshots of the live schema: dump, fingerprint, verify, diff");
  schema->require_subcommand(1);

  auto dump_flags = std::make_shared<SchemaFlags>();
  CLI::App* dump = schema->add_subcommand(
      "dump", "Print the canonical snapshot of the live schema (or write it with --output)");
  AddSchemasFlag(dump, *dump_flags);
  dump->add_option("-o,--output", dump_flags->output, "Write the snapshot to FILE, not stdout");
  table.Add(dump, [dump_flags](Context& ctx) { return RunDump(ctx, *dump_flags); });

  auto fingerprint_flags = std::make_shared<SchemaFlags>();
  CLI::App* fingerprint =
      schema->add_subcommand("fingerprint", "Print the SHA-256 of the snapshot (64 hex digits)");
  AddSchemasFlag(fingerprint, *fingerprint_flags);
  table.Add(fingerprint,
            [fingerprint_flags](Context& ctx) { return RunFingerprint(ctx, *fingerprint_flags); });

  auto verify_flags = std::make_shared<SchemaFlags>();
  CLI::App* verify = schema->add_subcommand(
      "verify",
      "Compare the live schema with a committed snapshot (exit 3 and a diff if not equal)");
  AddSchemasFlag(verify, *verify_flags);
  verify->add_option("--expected", verify_flags->expected, "The committed snapshot file")
      ->required();
  table.Add(verify, [verify_flags](Context& ctx) { return RunVerify(ctx, *verify_flags); });

  auto diff_flags = std::make_shared<SchemaFlags>();
  CLI::App* diff = schema->add_subcommand(
      "diff", "Compare the schemas of two databases (exit 3 and a diff if not equal)");
  AddSchemasFlag(diff, *diff_flags);
  diff->add_option("--url", diff_flags->urls,
                   "A database to compare; twice for both, once to compare the configured url "
                   "with it");
  diff->add_option("--to", diff_flags->to, "The second database (same as a second --url)");
  table.Add(diff, [diff_flags](Context& ctx) { return RunDiff(ctx, *diff_flags); });
}

}  // namespace strata::cli
