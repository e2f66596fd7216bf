#include "cli/context.h"

#include <spdlog/spdlog.h>

#include "db/open.h"

namespace strata::cli {

Result<db::Url> Context::TargetUrl() const { return db::ParseUrl(config_.url); }

std::string Context::PathForTarget(std::string_view path) const {
  std::string expanded(path);
  if (fleet_target_.empty()) return expanded;
  static constexpr std::string_view kPlaceholder = "{target}";
  for (std::size_t at = expanded.find(kPlaceholder); at != std::string::npos;
       at = expanded.find(kPlaceholder, at + fleet_target_.size())) {
    expanded.replace(at, kPlaceholder.size(), fleet_target_);
  }
  return expanded;
}

Result<db::ConnectOptions> Context::ConnectOptionsFor() const {
  db::ConnectOptions options;
  STRATA_ASSIGN_OR_RETURN(options.password, ResolvePassword(config_, getenv_));
  return options;
}

Result<std::unique_ptr<db::Connection>> Context::Connect() const {
  STRATA_ASSIGN_OR_RETURN(db::Url url, TargetUrl());
  STRATA_ASSIGN_OR_RETURN(db::ConnectOptions options, ConnectOptionsFor());
  spdlog::debug("connecting to {}", url.Redacted());
  return db::Open(url, options);
}

Result<std::unique_ptr<db::Connection>> Context::Connect(const db::RunnerIdentity& runner) const {
  STRATA_ASSIGN_OR_RETURN(db::Url url, TargetUrl());
  STRATA_ASSIGN_OR_RETURN(db::ConnectOptions options, ConnectOptionsFor());
  options.runner = runner.Label();
  spdlog::debug("connecting to {} as {}", url.Redacted(), options.runner);
  return db::Open(url, options);
}

}  // namespace strata::cli
