#include "migrations/script_config.h"

#include <fmt/format.h>

#include "base/file.h"
#include "base/strings.h"

namespace strata::migrations {
namespace {

Result<bool> ParseBool(std::string_view key, std::string_view value, std::string_view where) {
  const std::string v = AsciiLower(value);
  if (v == "true") return true;
  if (v == "false") return false;
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("{}: {} must be true or false, not '{}'", where, key, value));
}

Status CheckEncoding(std::string_view value, std::string_view where) {
  const std::string v = AsciiLower(value);
  if (v == "utf-8" || v == "utf8") return Ok();
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("{}: encoding '{}' is not supported: strata reads scripts as UTF-8 only; "
                         "convert the script to UTF-8 and remove the key",
                         where, value));
}

}  // namespace

Result<ScriptConfig> ParseScriptConfig(std::string_view text, std::string_view file_name) {
  ScriptConfig config;
  int line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    const std::string where = fmt::format("{}:{}", file_name, line_number);
    const std::size_t separator = line.find_first_of("=:");
    if (separator == std::string_view::npos) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: expected key=value, found '{}'", where, line));
    }
    const std::string_view key = Trim(line.substr(0, separator));
    const std::string_view value = Trim(line.substr(separator + 1));
    if (key == "executeInTransaction") {
      STRATA_ASSIGN_OR_RETURN(config.execute_in_transaction, ParseBool(key, value, where));
    } else if (key == "placeholderReplacement") {
      STRATA_ASSIGN_OR_RETURN(config.placeholder_replacement, ParseBool(key, value, where));
    } else if (key == "encoding") {
      STRATA_TRY(CheckEncoding(value, where));
    } else {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: unknown key '{}' (known keys: executeInTransaction, "
                             "placeholderReplacement, encoding)",
                             where, key));
    }
  }
  return config;
}

Result<ScriptConfig> ReadScriptConfig(const std::optional<std::filesystem::path>& path) {
  if (!path) return ScriptConfig{};
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(*path));
  return ParseScriptConfig(text, path->string());
}

}  // namespace strata::migrations
