#include "migrations/job_step.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include "base/file.h"

namespace strata::migrations {
namespace {

std::string Where(const std::string& source, const toml::source_region& region) {
  return fmt::format("{}:{}:{}", source, region.begin.line, region.begin.column);
}

Error Invalid(const std::string& where, std::string_view what) {
  return Err(ErrorCode::kInvalidArgument, fmt::format("{}: {}", where, what));
}

// TOML scalars become the text a `--param k=v` would give; anything else is refused rather
// than guessed at (an array or table has no single text form a job could parse).
Result<std::string> ParamText(const toml::node& node, std::string_view name,
                              const std::string& where) {
  if (auto s = node.value_exact<std::string>()) return *s;
  if (auto i = node.value_exact<std::int64_t>()) return std::to_string(*i);
  if (auto b = node.value_exact<bool>()) return std::string(*b ? "true" : "false");
  if (auto d = node.value_exact<double>()) return fmt::format("{}", *d);
  return Invalid(where, fmt::format("parameter '{}' must be a string, number or boolean", name));
}

}  // namespace

Result<JobStep> ParseJobStep(std::string_view text, const std::string& source_name) {
  toml::table table;
  try {
    // Debian builds toml++ with exceptions, so a syntax error arrives as toml::parse_error.
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return Invalid(Where(source_name, e.source()), e.description());
  }
  JobStep step;
  bool has_job = false;
  for (const auto& [key, node] : table) {
    const std::string where = Where(source_name, key.source());
    if (key.str() == "job") {
      auto name = node.value_exact<std::string>();
      if (!name || name->empty()) {
        return Invalid(where, "'job' must name a backfill job, e.g. job = \"event-view-metrics\"");
      }
      step.job = *name;
      has_job = true;
    } else if (key.str() == "params") {
      const toml::table* params = node.as_table();
      if (params == nullptr) {
        return Invalid(where, "'params' must be a table: [params] then one name = value a line");
      }
      for (const auto& [name, value] : *params) {
        STRATA_ASSIGN_OR_RETURN(step.params[std::string(name.str())],
                                ParamText(value, name.str(), Where(source_name, name.source())));
      }
    } else {
      return Invalid(where, fmt::format("unknown key '{}' in a job step (known: job, [params]; "
                                        "job parameters go under [params])",
                                        key.str()));
    }
  }
  if (!has_job) {
    return Invalid(source_name + ":1:1",
                   "a job step needs job = \"<name>\" (see `strata backfill list` for the jobs)");
  }
  return step;
}

Result<JobStep> ReadJobStep(const std::filesystem::path& path) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseJobStep(text, path.string());
}

std::string DescribeJobStep(const JobStep& step) {
  if (step.params.empty()) return step.job;
  std::vector<std::string> parts;
  parts.reserve(step.params.size());
  for (const auto& [name, value] : step.params) parts.push_back(fmt::format("{}={}", name, value));
  return fmt::format("{} ({})", step.job, fmt::join(parts, ", "));
}

Result<JobStep> ReadCheckedJobStep(const std::filesystem::path& path, const JobStepRunner& runner) {
  STRATA_ASSIGN_OR_RETURN(JobStep step, ReadJobStep(path));
  if (Status checked = runner.Check(step); !checked) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}: {}", path.string(), checked.error().message));
  }
  return step;
}

}  // namespace strata::migrations
