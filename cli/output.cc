#include "cli/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <string>

namespace strata::cli {

void Output::Line(std::string_view text) {
  if (!json_) out_ << text << '\n';
}

namespace {

// Appends the cells of one table row, each but the last padded to its column's width and
// followed by two spaces, then the newline; trailing spaces are dropped.
void AppendTableRow(std::string& text, const std::vector<std::string>& row,
                    const std::vector<std::size_t>& width) {
  const std::size_t start = text.size();
  const std::size_t cells = std::min(row.size(), width.size());
  for (std::size_t i = 0; i < cells; ++i) {
    text += row[i];
    if (i + 1 < row.size()) text.append(width[i] - row[i].size() + 2, ' ');
  }
  const std::size_t end = text.find_last_not_of(' ');
  text.resize(end == std::string::npos || end < start ? start : end + 1);
  text += '\n';
}

}  // namespace

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

  std::string text;
  AppendTableRow(text, header, width);
  text.pop_back();  // the header is painted without its newline
  out_ << Bold(text) << '\n';
  // Rows go out in blocks rather than a stream write per cell: `info` prints one row per
  // migration, and tens of thousands of small writes cost more than building the rows.
  constexpr std::size_t kBlockBytes = std::size_t{64} * 1024;
  text.clear();
  text.reserve(kBlockBytes + 1024);
  for (const auto& row : rows) {
    AppendTableRow(text, row, width);
    if (text.size() >= kBlockBytes) {
      out_ << text;
      text.clear();
    }
  }
  out_ << text;
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
