// libFuzzer target for the SQL splitter and tokenizer, built once per dialect
// (STRATA_FUZZ_DIALECT). Besides the sanitizers' checks (no crash, no read past the input, no
// undefined behaviour) it checks the output's shape: statements in order, inside the input,
// trimmed, with valid positions, errors in the documented "file:line:col: message" + caret
// format, and tokens that tile the input in order.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "db/sql/splitter.h"
#include "db/sql/tokenizer.h"

namespace {

using strata::db::Dialect;
using strata::db::sql::Split;
using strata::db::sql::SplitOptions;
using strata::db::sql::Statement;
using strata::db::sql::Tokenizer;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// Tokens never fail: they are non-empty, follow each other without gaps and end at the end.
void CheckTokens(std::string_view script) {
  Tokenizer tokenizer(script, Dialect::STRATA_FUZZ_DIALECT);
  size_t expected = 0;
  int previous_line = 1;
  while (auto token = tokenizer.Next()) {
    Check(token->offset == expected && token->text.data() == script.data() + expected);
    Check(!token->text.empty());
    Check(token->line >= previous_line && token->column >= 1);
    previous_line = token->line;
    expected += token->text.size();
  }
  Check(expected == script.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view script(reinterpret_cast<const char*>(data), size);
  SplitOptions options;
  options.dialect = Dialect::STRATA_FUZZ_DIALECT;
  options.file_name = "fuzz.sql";
  // Vary the options with the input so that both settings get explored.
  options.require_copy_terminator = size % 2 == 1;
  options.server_version = size % 3 == 0 ? 110000 : 0;

  CheckTokens(script);
  auto result = Split(script, options);
  if (!result) {
    std::string_view message = result.error().message;
    Check(message.substr(0, 9) == "fuzz.sql:");
    Check(message.find('\n') != std::string_view::npos);
    Check(message.back() == '^');
    return 0;
  }
  const char* previous_end = script.data();
  int previous_line = 1;
  for (const Statement& statement : *result) {
    Check(!statement.text.empty());
    Check(Inside(statement.text, script));
    Check(statement.text.data() >= previous_end);
    Check(!IsSpace(statement.text.front()) && !IsSpace(statement.text.back()));
    Check(statement.line >= previous_line && statement.column >= 1);
    Check(statement.keyword_size <= statement.text.size());
    previous_end = statement.text.data() + statement.text.size();
    previous_line = statement.line;
    if (statement.copy_data) {
      Check(Inside(*statement.copy_data, script));
      Check(statement.copy_data->data() >= previous_end);
      previous_end = statement.copy_data->data() + statement.copy_data->size();
    }
  }
  return 0;
}
