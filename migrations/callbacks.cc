#include "migrations/callbacks.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace strata::migrations {

Callbacks::Callbacks(std::vector<SqlCallback> callbacks) : callbacks_(std::move(callbacks)) {}

Status Callbacks::CheckSupported() const {
  std::vector<std::string> unsupported;
  for (const SqlCallback& c : callbacks_) {
    if (std::find(kSupportedCallbackEvents.begin(), kSupportedCallbackEvents.end(), c.event) ==
        kSupportedCallbackEvents.end()) {
      unsupported.push_back(c.path.string());
    }
  }
  if (unsupported.empty()) return Ok();
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("callback event not supported by strata (it would never run): {}; "
                         "rename or remove the file (supported events: {})",
                         fmt::join(unsupported, ", "), fmt::join(kSupportedCallbackEvents, ", ")));
}

bool Callbacks::Has(std::string_view event) const {
  return std::any_of(callbacks_.begin(), callbacks_.end(),
                     [&](const SqlCallback& c) { return c.event == event; });
}

Result<Script> Callbacks::StepsFor(std::string_view event, const SqlFileOptions& options,
                                   bool own_transaction) const {
  Script steps;
  for (const SqlCallback& c : callbacks_) {
    if (c.event != event) continue;
    STRATA_ASSIGN_OR_RETURN(SqlFile file, PrepareSqlFile(c.path, c.config_path, options));
    steps.push_back(Comment(fmt::format("callback {}: {}", event, c.script)));
    const bool wrap = own_transaction && file.in_transaction;
    if (wrap) steps.push_back(Begin());
    for (ScriptStep& s : file.statements) steps.push_back(std::move(s));
    if (wrap) steps.push_back(Commit());
  }
  return steps;
}

}  // namespace strata::migrations
