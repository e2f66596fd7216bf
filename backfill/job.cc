#include "backfill/job.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace strata::backfill {

Status JobRegistry::Add(std::unique_ptr<JobDefinition> job) {
  std::string name(job->name());
  if (jobs_.contains(name)) {
    return Err(ErrorCode::kInternal, fmt::format("job '{}' is registered twice", name));
  }
  jobs_.emplace(std::move(name), std::move(job));
  return Ok();
}

const JobDefinition* JobRegistry::Find(std::string_view name) const {
  auto it = jobs_.find(name);
  return it == jobs_.end() ? nullptr : it->second.get();
}

std::vector<const JobDefinition*> JobRegistry::All() const {
  std::vector<const JobDefinition*> out;
  out.reserve(jobs_.size());
  for (const auto& [name, job] : jobs_) out.push_back(job.get());
  return out;
}

Result<ParamValues> ApplyParamSpecs(const std::vector<ParamSpec>& specs, const ParamValues& values,
                                    std::string_view job_name) {
  std::set<std::string, std::less<>> known;
  for (const ParamSpec& spec : specs) known.insert(spec.name);
  for (const auto& [name, value] : values) {
    if (!known.contains(name)) {
      std::vector<std::string> names(known.begin(), known.end());
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("job '{}' has no parameter '{}' (parameters: {})", job_name, name,
                             names.empty() ? std::string("none")
                                           : fmt::format("{}", fmt::join(names, ", "))));
    }
  }
  ParamValues out;
  for (const ParamSpec& spec : specs) {
    auto given = values.find(spec.name);
    if (given != values.end()) {
      out[spec.name] = given->second;
    } else if (spec.required) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("job '{}' needs parameter '{}' ({}): add --param {}=VALUE", job_name,
                             spec.name, spec.description, spec.name));
    } else {
      out[spec.name] = spec.default_value;
    }
  }
  return out;
}

}  // namespace strata::backfill
