// Helpers shared by the splitter tests.
#ifndef STRATA_DB_SQL_SPLITTER_TEST_UTIL_H_
#define STRATA_DB_SQL_SPLITTER_TEST_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "db/sql/splitter.h"

namespace strata::db::sql {

inline Result<std::vector<Statement>> SplitAs(Dialect dialect, std::string_view script,
                                              int server_version = 0) {
  SplitOptions options;
  options.dialect = dialect;
  options.server_version = server_version;
  options.file_name = "V1__test.sql";
  return Split(script, options);
}

// The statements' texts, or the error message as the only element.
inline std::vector<std::string> Texts(const Result<std::vector<Statement>>& result) {
  if (!result) return {"ERROR: " + result.error().message};
  std::vector<std::string> texts;
  for (const Statement& statement : *result) texts.emplace_back(statement.text);
  return texts;
}

inline std::vector<std::string> TextsAs(Dialect dialect, std::string_view script) {
  return Texts(SplitAs(dialect, script));
}

// The error message of a failed split ("" when it succeeded).
inline std::string ErrorAs(Dialect dialect, std::string_view script) {
  auto result = SplitAs(dialect, script);
  return result ? std::string() : result.error().message;
}

}  // namespace strata::db::sql

#endif  // STRATA_DB_SQL_SPLITTER_TEST_UTIL_H_
