// "Did you mean" suggestions for mistyped command names.
#ifndef STRATA_CLI_SUGGEST_H_
#define STRATA_CLI_SUGGEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::cli {

// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo
// (distance at most max(1, word length / 3)), or a candidate that starts with `word`.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace strata::cli

#endif  // STRATA_CLI_SUGGEST_H_
