#include "cli/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ostream>
#include <string>

#include "cli/exit_codes.h"

namespace strata::cli {

std::string JsonName(std::string_view name) {
  std::string snake;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      snake += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!snake.empty() && snake.back() != '_') {
      snake += '_';
    }
  }
  while (!snake.empty() && snake.back() == '_') snake.pop_back();
  return snake;
}

std::string_view ErrorKindName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kConnection:
      return "connection";
    case ErrorCode::kDatabase:
      return "database";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kValidation:
      return "validation";
    case ErrorCode::kLockTimeout:
      return "lock_timeout";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

namespace {

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// Adds "file", "line" and "column" when `message` starts with "<file>:<line>:<column>: ", the
// form every error about a place in a file takes. Both numbers are required, so that a
// "host:port: ..." is not taken for a file.
void AddLocation(std::string_view message, nlohmann::json& error) {
  const std::size_t end = message.find(": ");
  if (end == std::string_view::npos) return;
  const std::string_view head = message.substr(0, end);
  const std::size_t column_colon = head.rfind(':');
  if (column_colon == std::string_view::npos || column_colon == 0) return;
  const std::size_t line_colon = head.rfind(':', column_colon - 1);
  if (line_colon == std::string_view::npos || line_colon == 0) return;
  const std::string_view file = head.substr(0, line_colon);
  const std::string_view line = head.substr(line_colon + 1, column_colon - line_colon - 1);
  const std::string_view column = head.substr(column_colon + 1);
  if (!AllDigits(line) || !AllDigits(column) || line.size() > 9 || column.size() > 9 ||
      file.find("://") != std::string_view::npos) {
    return;
  }
  error["file"] = std::string(file);
  error["line"] = std::stoi(std::string(line));
  error["column"] = std::stoi(std::string(column));
}

}  // namespace

nlohmann::json ErrorJson(const Error& error, std::optional<std::string_view> kind) {
  nlohmann::json e = {{"kind", std::string(kind.value_or(ErrorKindName(error.code)))},
                      {"exit_code", ExitCodeFor(error)},
                      {"message", error.message}};
  AddLocation(error.message, e);
  if (!error.sqlstate.empty()) e["sqlstate"] = error.sqlstate;
  if (error.server_errno != 0) e["server_errno"] = error.server_errno;
  if (error.transient) e["transient"] = true;
  return e;
}

void Output::Line(std::string_view text) {
  if (observer_.line) observer_.line(text);
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
  if (json_) document_ = document;
}

void Output::Event(const nlohmann::json& event) {
  if (observer_.event) observer_.event(event);
  if (!json_) return;
  nlohmann::json line = event;
  line["schema_version"] = kJsonSchemaVersion;
  out_ << line.dump() << '\n' << std::flush;
}

int Output::Finish(const Status& status, std::optional<std::string_view> kind) {
  if (!status) err_ << Red("strata: error:") << ' ' << status.error().message << '\n';
  if (json_) {
    nlohmann::json document = document_.is_object() ? document_ : nlohmann::json::object();
    document["schema_version"] = kJsonSchemaVersion;
    document["command"] = command_.empty() ? nlohmann::json(nullptr) : nlohmann::json(command_);
    if (!status) document["error"] = ErrorJson(status.error(), kind);
    out_ << document.dump() << '\n';
  }
  return status ? static_cast<int>(kExitOk) : ExitCodeFor(status.error());
}

void Output::Warning(std::string_view text) {
  if (observer_.line) observer_.line(text);
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
