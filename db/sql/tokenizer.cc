#include "db/sql/tokenizer.h"

#include <optional>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "db/sql/dialect_traits.h"
#include "db/sql/lexer.h"

namespace strata::db::sql {

bool Token::IsWord(std::string_view keyword) const {
  return kind == TokenKind::kWord && EqualsIgnoreCase(text, keyword);
}

Tokenizer::Tokenizer(std::string_view text, Dialect dialect)
    : text_(text), lexer_(std::make_unique<Lexer>(text, TraitsFor(dialect))), tracker_(text) {}

Tokenizer::~Tokenizer() = default;

std::optional<Token> Tokenizer::Next() {
  if (pos_ >= text_.size()) return std::nullopt;
  Lexed lexed;
  if (!lexer_->Lex(pos_, !seen_significant_, lexed) && error_.empty()) {
    error_ = lexer_->error();
    error_offset_ = pos_;
  }
  Token token;
  token.kind = lexed.kind;
  token.text = text_.substr(pos_, lexed.end - pos_);
  token.offset = pos_;
  const SourcePosition position = tracker_.Locate(pos_);
  token.line = position.line;
  token.column = position.column;
  if (!token.IsTrivia()) seen_significant_ = true;
  pos_ = lexed.end;
  return token;
}

std::optional<Token> Tokenizer::NextSignificant() {
  for (std::optional<Token> token = Next(); token; token = Next()) {
    if (!token->IsTrivia()) return token;
  }
  return std::nullopt;
}

Result<std::vector<Token>> Tokenize(std::string_view text, Dialect dialect) {
  std::vector<Token> tokens;
  Tokenizer tokenizer(text, dialect);
  while (std::optional<Token> token = tokenizer.Next()) tokens.push_back(*token);
  if (!tokenizer.error().empty()) {
    return Err(ErrorCode::kInvalidArgument,
               FormatSourceError("<input>", text, tokenizer.error_offset(), tokenizer.error()));
  }
  return tokens;
}

std::vector<Token> SignificantTokens(std::string_view text, Dialect dialect) {
  std::vector<Token> tokens;
  Tokenizer tokenizer(text, dialect);
  while (std::optional<Token> token = tokenizer.NextSignificant()) tokens.push_back(*token);
  return tokens;
}

}  // namespace strata::db::sql
