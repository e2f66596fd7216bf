#include "migrations/placeholders.h"

#include <fmt/format.h>

#include <ctime>

#include "base/strings.h"

namespace strata::migrations {
namespace {

// 1-based line and character column of byte `offset`, counted as the splitter counts them.
std::pair<int, int> Position(std::string_view text, std::size_t offset) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

constexpr std::string_view kBuiltinNames = "database, user, schema, table, filename, timestamp";

}  // namespace

Placeholders::Placeholders(bool enabled, const std::map<std::string, std::string>& values,
                           BuiltinPlaceholders builtins)
    : enabled_(enabled), builtins_(std::move(builtins)) {
  for (const auto& [name, value] : values) values_[AsciiLower(name)] = value;
}

Result<std::string> Placeholders::Lookup(std::string_view name, std::string_view file_name) const {
  const std::string key = AsciiLower(name);
  const std::string_view key_view = key;
  for (const std::string_view prefix : {"strata:", "flyway:"}) {
    if (!key.starts_with(prefix)) continue;
    const std::string_view builtin = key_view.substr(prefix.size());
    if (builtin == "database") return builtins_.database;
    if (builtin == "user") return builtins_.user;
    if (builtin == "schema" || builtin == "defaultschema") return builtins_.schema;
    if (builtin == "table") return builtins_.table;
    if (builtin == "filename") return std::string(file_name);
    if (builtin == "timestamp") return builtins_.timestamp;
    return Err(
        ErrorCode::kInvalidArgument,
        fmt::format("unknown built-in placeholder ${{{}}} (built-ins: {})", name, kBuiltinNames));
  }
  const auto found = values_.find(key);
  if (found == values_.end()) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("no value for placeholder ${{{0}}}; set it under [placeholders] in "
                           "strata.toml, with STRATA_PLACEHOLDERS_{1} or -p {0}=VALUE, or turn "
                           "replacement off for this script (placeholderReplacement=false in {2}"
                           ".conf) or everywhere (placeholder_replacement = false)",
                           name, AsciiUpper(name), file_name));
  }
  return found->second;
}

Result<std::string> Placeholders::Replace(std::string_view text, std::string_view display_path,
                                          std::string_view file_name) const {
  std::string out;
  out.reserve(text.size());
  std::size_t done = 0;
  while (true) {
    const std::size_t start = text.find(prefix_, done);
    if (start == std::string_view::npos) break;
    const std::size_t name_start = start + prefix_.size();
    const std::size_t end = text.find(suffix_, name_start);
    if (end == std::string_view::npos) break;  // unterminated: left as written
    const std::string_view name = text.substr(name_start, end - name_start);
    auto value = Lookup(name, file_name);
    if (!value) {
      const auto [line, column] = Position(text, start);
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}:{}:{}: {}", display_path, line, column, value.error().message));
    }
    out.append(text.substr(done, start - done));
    out.append(*value);
    done = end + suffix_.size();
  }
  out.append(text.substr(done));
  return out;
}

std::string PlaceholderTimestamp(std::int64_t seconds_since_epoch) {
  const auto t = static_cast<std::time_t>(seconds_since_epoch);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

}  // namespace strata::migrations
