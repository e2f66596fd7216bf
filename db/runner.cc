#include "db/runner.h"

#include <fmt/format.h>

#include <charconv>

namespace strata::db {
namespace {

constexpr std::string_view kProgram = "strata ";
constexpr std::string_view kCommentOpen = "/* ";

// The value of `key=` among the space-separated words of `words`; "" when absent.
std::string_view Field(std::string_view words, std::string_view key) {
  std::size_t at = 0;
  while (at < words.size()) {
    std::size_t end = words.find(' ', at);
    if (end == std::string_view::npos) end = words.size();
    const std::string_view word = words.substr(at, end - at);
    if (word.size() > key.size() && word.substr(0, key.size()) == key && word[key.size()] == '=') {
      return word.substr(key.size() + 1);
    }
    at = end + 1;
  }
  return {};
}

}  // namespace

std::string RunnerIdentity::Label() const {
  std::string label = fmt::format("strata {} pid={} run={}", command, pid, run_id);
  if (!scope.empty()) label += fmt::format(" scope={}", scope);
  return label;
}

std::optional<RunnerIdentity> RunnerIdentity::Parse(std::string_view text) {
  if (text.substr(0, kCommentOpen.size()) == kCommentOpen) {
    const std::size_t close = text.find(" */");
    if (close == std::string_view::npos) return std::nullopt;
    text = text.substr(kCommentOpen.size(), close - kCommentOpen.size());
  }
  if (text.substr(0, kProgram.size()) != kProgram) return std::nullopt;
  text.remove_prefix(kProgram.size());
  RunnerIdentity runner;
  const std::size_t space = text.find(' ');
  runner.command = std::string(text.substr(0, space));
  const std::string_view pid = Field(text, "pid");
  if (std::from_chars(pid.data(), pid.data() + pid.size(), runner.pid).ec != std::errc()) {
    return std::nullopt;
  }
  runner.run_id = std::string(Field(text, "run"));
  runner.scope = std::string(Field(text, "scope"));
  if (runner.command.empty() || runner.run_id.empty()) return std::nullopt;
  return runner;
}

std::string StatementComment(std::string_view label) { return fmt::format("/* {} */ ", label); }

std::string ScopeTag(std::string_view schema, std::string_view table) {
  // FNV-1a: stable across builds and platforms, unlike std::hash.
  std::uint32_t hash = 2166136261U;
  auto mix = [&hash](std::string_view text) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 16777619U;
    }
  };
  mix(schema);
  mix(".");
  mix(table);
  return fmt::format("{:08x}", hash);
}

}  // namespace strata::db
