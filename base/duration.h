// Durations written by people: "500ms", "30s", "10m", "1h", "1m30s"; a bare number is seconds.
#ifndef STRATA_BASE_DURATION_H_
#define STRATA_BASE_DURATION_H_

#include <chrono>
#include <string>
#include <string_view>

// Installed: includes of strata headers carry the installed prefix (cmake/StrataHelpers.cmake).
#include "strata/base/result.h"

namespace strata {

// Parses `text`. Errors (kInvalidArgument) quote the text and show the accepted forms.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Formats for people: "850ms", "12.3s", "4m05s", "2h03m".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace strata

#endif  // STRATA_BASE_DURATION_H_
