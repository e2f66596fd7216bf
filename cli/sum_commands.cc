// `strata sum [--check]`: write or verify strata.sum in each migrations location
// (migrations/sum.h), offline: no database is contacted.
//
// Their --json documents are specified in docs/json.md.
// --check exits 3 (kExitValidation) naming every edited, added or missing file, or a location
// without strata.sum.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "cli/command.h"
#include "migrations/sum.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;

struct SumFlags {
  std::vector<std::string> locations;  // --locations DIR[,DIR...]; default: the locations setting
  bool check = false;                  // --check: verify instead of writing
};

std::vector<fs::path> LocationsFor(const Config& config, const SumFlags& flags) {
  const std::vector<std::string>& names =
      flags.locations.empty() ? config.locations : flags.locations;
  return {names.begin(), names.end()};
}

Status RunWrite(Context& ctx, const std::vector<fs::path>& locations) {
  STRATA_ASSIGN_OR_RETURN(std::vector<migrations::SumFile> sums,
                          migrations::WriteSumFiles(locations));
  nlohmann::json files = nlohmann::json::array();
  for (std::size_t i = 0; i < sums.size(); ++i) {
    const fs::path file = locations[i] / migrations::kSumFileName;
    ctx.out().Line(fmt::format("wrote {}: {} file{}, total {}", file.string(),
                               sums[i].entries.size(), sums[i].entries.size() == 1 ? "" : "s",
                               sums[i].total));
    files.push_back({{"location", locations[i].string()},
                     {"file", file.string()},
                     {"files", sums[i].entries.size()},
                     {"total", sums[i].total}});
  }
  ctx.out().Json({{"sum_files", std::move(files)}});
  return Ok();
}

Status RunCheck(Context& ctx, const std::vector<fs::path>& locations) {
  STRATA_ASSIGN_OR_RETURN(std::vector<migrations::SumCheck> checks,
                          migrations::CheckSums(locations));
  Status status = migrations::SumCheckStatus(checks, /*require_sum_file=*/true);
  nlohmann::json listed = nlohmann::json::array();
  nlohmann::json problems = nlohmann::json::array();
  for (const migrations::SumCheck& c : checks) {
    listed.push_back({{"location", c.location.string()},
                      {"file", c.sum_file.string()},
                      {"present", c.present},
                      {"files", c.files}});
    if (!c.present) {
      problems.push_back({{"kind", "no_sum_file"},
                          {"file", nullptr},
                          {"location", c.location.string()},
                          {"message", "no strata.sum: create it with `strata sum`"}});
    }
    for (const migrations::SumProblem& p : c.problems) {
      problems.push_back(
          {{"kind", migrations::SumProblemKindName(p.kind)},
           {"file", p.script.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.script)},
           {"location", c.location.string()},
           {"message", p.message}});
    }
    if (c.present && c.problems.empty()) {
      ctx.out().Line(fmt::format("{} matches {} file{}", c.sum_file.string(), c.files,
                                 c.files == 1 ? "" : "s"));
    }
  }
  ctx.out().Json(
      {{"valid", status.has_value()}, {"locations", std::move(listed)}, {"problems", problems}});
  return status;
}

}  // namespace

void RegisterSumCommands(CLI::App& app, CommandTable& table) {
  auto flags = std::make_shared<SumFlags>();
  CLI::App* sum = app.add_subcommand(
      "sum",
      "Write strata.sum (SHA-256 of every migration file) in each location; --check "
      "verifies it offline (exit 3 naming every edited, added or missing file)");
  sum->add_option("--locations", flags->locations,
                  "Directories holding migrations (default: migrations/ beside strata.toml)")
      ->delimiter(',');
  sum->add_flag("--check", flags->check,
                "Verify strata.sum against the files instead of writing it; no database needed");
  table.Add(sum, [flags](Context& ctx) {
    const std::vector<fs::path> locations = LocationsFor(ctx.config(), *flags);
    return flags->check ? RunCheck(ctx, locations) : RunWrite(ctx, locations);
  });
}

}  // namespace strata::cli
