#include "cli/fleet_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

namespace strata::cli {

FleetScheduler::FleetScheduler(std::size_t count, RolloutOptions options)
    : states_(count, State::kPending), options_(options) {
  options_.parallel = std::max(options_.parallel, 1);
  options_.canary = std::max(options_.canary, 0);
}

bool FleetScheduler::CanariesDone() const {
  const auto canaries = std::min(static_cast<std::size_t>(options_.canary), states_.size());
  for (std::size_t i = 0; i < canaries; ++i) {
    if (states_[i] == State::kPending || states_[i] == State::kRunning) return false;
  }
  return true;
}

std::optional<std::size_t> FleetScheduler::Next() {
  if (!stop_reason_.empty() || next_ >= states_.size() || running_ >= options_.parallel) {
    return std::nullopt;
  }
  // The canaries run alone: the rest waits until every one has finished well.
  if (next_ >= static_cast<std::size_t>(options_.canary) && !CanariesDone()) return std::nullopt;
  const std::size_t index = next_++;
  states_[index] = State::kRunning;
  ++running_;
  return index;
}

void FleetScheduler::Finished(std::size_t index, bool ok) {
  states_[index] = ok ? State::kOk : State::kFailed;
  --running_;
  if (ok) return;
  ++failures_;
  if (index < static_cast<std::size_t>(options_.canary) && stop_reason_.empty()) {
    stop_reason_ = "a canary failed";
  }
  if (options_.max_failures > 0 && failures_ >= options_.max_failures && stop_reason_.empty()) {
    stop_reason_ = fmt::format("--max-failures {} reached", options_.max_failures);
  }
}

void FleetScheduler::Stop() {
  if (stop_reason_.empty()) stop_reason_ = "interrupted";
}

bool FleetScheduler::Done() {
  if (running_ > 0) return false;
  if (next_ < states_.size() && stop_reason_.empty()) return false;
  for (State& state : states_) {
    if (state == State::kPending) state = State::kNotRun;
  }
  return true;
}

int WorstExitCode(const std::vector<int>& codes) {
  // Worst first: what needs a person, then what a retry may fix.
  static constexpr std::array<int, 6> kOrder = {1, 3, 2, 4, 5, 6};
  for (const int worst : kOrder) {
    if (std::find(codes.begin(), codes.end(), worst) != codes.end()) return worst;
  }
  for (const int code : codes) {
    if (code != 0) return code;
  }
  return 0;
}

std::vector<ResultGroup> GroupBy(const std::vector<std::string>& names,
                                 const std::vector<std::string>& keys) {
  std::vector<ResultGroup> groups;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < names.size() && i < keys.size(); ++i) {
    auto [it, inserted] = index.emplace(keys[i], groups.size());
    if (inserted) groups.push_back({keys[i], {}});
    groups[it->second].names.push_back(names[i]);
  }
  std::stable_sort(groups.begin(), groups.end(), [](const ResultGroup& a, const ResultGroup& b) {
    return a.names.size() > b.names.size();
  });
  return groups;
}

std::string DescribeGroups(const std::vector<ResultGroup>& groups, const std::string& prefix,
                           std::size_t max_names) {
  std::vector<std::string> parts;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::string part = fmt::format("{} {}{}", groups[g].names.size(), prefix, groups[g].key);
    if (g > 0) {
      const std::vector<std::string>& names = groups[g].names;
      const std::size_t shown = std::min(names.size(), max_names);
      part += fmt::format(
          " ({}{})", fmt::join(names.begin(), names.begin() + static_cast<long>(shown), ", "),
          shown < names.size() ? fmt::format(", {} more", names.size() - shown) : std::string());
    }
    parts.push_back(std::move(part));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string DescribeFailures(const std::vector<std::string>& names,
                             const std::vector<std::string>& messages, std::size_t max_names,
                             std::size_t max_groups) {
  std::vector<ResultGroup> groups = GroupBy(names, messages);
  std::vector<std::string> parts;
  for (std::size_t g = 0; g < groups.size() && g < max_groups; ++g) {
    const std::vector<std::string>& group = groups[g].names;
    const std::size_t shown = std::min(group.size(), max_names);
    parts.push_back(fmt::format(
        "{}{}: {}", fmt::join(group.begin(), group.begin() + static_cast<long>(shown), ", "),
        shown < group.size() ? fmt::format(" and {} more", group.size() - shown) : std::string(),
        groups[g].key));
  }
  if (groups.size() > max_groups) {
    std::size_t rest = 0;
    for (std::size_t g = max_groups; g < groups.size(); ++g) rest += groups[g].names.size();
    parts.push_back(fmt::format("{} more with other errors", rest));
  }
  return fmt::format("{} failed ({})", names.size(), fmt::join(parts, "; "));
}

}  // namespace strata::cli
