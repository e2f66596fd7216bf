#include "cli/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

namespace strata::cli {

void Output::Line(std::string_view text) {
  if (!json_) out_ << text << '\n';
}

void Output::Table(const std::vector<std::string>& header,
                   const std::vector<std::vector<std::string>>& rows) {
  if (json_) return;
  std::vector<std::size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  auto print = [&](const std::vector<std::string>& row, bool bold) {
    std::string line;
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      std::string cell = i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], width[i]);
      line += cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_ << (bold ? Bold(line) : line) << '\n';
  };
  print(header, true);
  for (const auto& row : rows) print(row, false);
}

void Output::Json(const nlohmann::json& document) {
  if (!json_) return;
  out_ << document.dump() << '\n';
  json_printed_ = true;
}

void Output::Failure(const Error& error) {
  err_ << Red("strata: error:") << ' ' << error.message << '\n';
  if (json_ && !json_printed_) {
    nlohmann::json e = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
    if (!error.sqlstate.empty()) e["sqlstate"] = error.sqlstate;
    if (error.server_errno != 0) e["server_errno"] = error.server_errno;
    out_ << nlohmann::json{{"error", e}}.dump() << '\n';
  }
}

void Output::Warning(std::string_view text) {
  err_ << Yellow("strata: warning:") << ' ' << text << '\n';
}

std::string Output::Paint(std::string_view code, std::string_view text) const {
  if (!color_) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::string Output::Green(std::string_view text) const { return Paint("32", text); }
std::string Output::Red(std::string_view text) const { return Paint("31", text); }
std::string Output::Yellow(std::string_view text) const { return Paint("33", text); }
std::string Output::Bold(std::string_view text) const { return Paint("1", text); }

}  // namespace strata::cli
