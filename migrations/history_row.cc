#include "migrations/history_row.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace strata::migrations {
namespace {

constexpr std::array<std::pair<MigrationType, std::string_view>, 12> kTypeNames = {{
    {MigrationType::kSchema, "SCHEMA"},
    {MigrationType::kBaseline, "BASELINE"},
    {MigrationType::kDelete, "DELETE"},
    {MigrationType::kSql, "SQL"},
    {MigrationType::kJdbc, "JDBC"},
    {MigrationType::kScript, "SCRIPT"},
    {MigrationType::kUndoScript, "UNDO_SCRIPT"},
    {MigrationType::kCustom, "CUSTOM"},
    {MigrationType::kSqlBaseline, "SQL_BASELINE"},
    {MigrationType::kJdbcBaseline, "JDBC_BASELINE"},
    {MigrationType::kUndoSql, "UNDO_SQL"},
    {MigrationType::kUndoJdbc, "UNDO_JDBC"},
}};

// Names older Flyway versions wrote, and what current Flyway reads them as.
constexpr std::array<std::pair<std::string_view, MigrationType>, 3> kLegacyTypeNames = {{
    {"SPRING_JDBC", MigrationType::kJdbc},
    {"SQL_STATE_SCRIPT", MigrationType::kSqlBaseline},
    {"JDBC_STATE_SCRIPT", MigrationType::kJdbcBaseline},
}};

bool IsLeadingByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

// Byte offset where the first `units` UTF-16 code units of UTF-8 `text` end, moved back to a
// character boundary if that count would split a supplementary character (which Java would cut
// in half, leaving an unpaired surrogate that no UTF-8 column can store).
std::size_t PrefixBytesForUtf16Units(std::string_view text, std::size_t units) {
  std::size_t counted = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!IsLeadingByte(text[i])) continue;
    // Four-byte UTF-8 sequences are the supplementary characters: two UTF-16 units.
    const std::size_t width = (static_cast<unsigned char>(text[i]) >= 0xF0) ? 2 : 1;
    if (counted + width > units) return i;
    counted += width;
  }
  return text.size();
}

std::size_t Utf16Length(std::string_view text) {
  std::size_t units = 0;
  for (const char c : text) {
    if (!IsLeadingByte(c)) continue;
    units += (static_cast<unsigned char>(c) >= 0xF0) ? 2 : 1;
  }
  return units;
}

}  // namespace

std::string_view MigrationTypeName(MigrationType type) {
  for (const auto& [value, name] : kTypeNames) {
    if (value == type) return name;
  }
  return "UNKNOWN";
}

Result<MigrationType> ParseMigrationType(std::string_view text) {
  for (const auto& [value, name] : kTypeNames) {
    if (name == text) return value;
  }
  for (const auto& [name, value] : kLegacyTypeNames) {
    if (name == text) return value;
  }
  return Err(ErrorCode::kValidation,
             fmt::format("unknown migration type '{}' in the schema history table", text));
}

bool IsSynthetic(MigrationType type) {
  return type == MigrationType::kSchema || type == MigrationType::kBaseline ||
         type == MigrationType::kDelete;
}

bool IsBaselineType(MigrationType type) {
  return type == MigrationType::kBaseline || type == MigrationType::kSqlBaseline ||
         type == MigrationType::kJdbcBaseline;
}

bool IsUndoType(MigrationType type) {
  return type == MigrationType::kUndoSql || type == MigrationType::kUndoJdbc ||
         type == MigrationType::kUndoScript;
}

std::string AbbreviateDescription(std::string_view description) {
  if (Utf16Length(description) <= 200) return std::string(description);
  return std::string(description.substr(0, PrefixBytesForUtf16Units(description, 197))) + "...";
}

std::string AbbreviateScript(std::string_view script) {
  if (Utf16Length(script) <= 1000) return std::string(script);
  const std::size_t from = PrefixBytesForUtf16Units(script, 3);
  const std::size_t to = PrefixBytesForUtf16Units(script, 1000);
  return "..." + std::string(script.substr(from, to - from));
}

}  // namespace strata::migrations
