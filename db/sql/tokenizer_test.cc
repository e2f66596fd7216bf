#include "db/sql/tokenizer.h"

#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace strata::db::sql {
namespace {

// "kind:text" for every token, whitespace left out.
std::vector<std::string> Describe(std::string_view text, Dialect dialect) {
  static constexpr const char* kNames[] = {"space",        "comment", "word",     "ident",
                                           "string",       "dollar",  "number",   "param",
                                           "exec-comment", "punct",   "delimiter"};
  std::vector<std::string> out;
  Tokenizer tokenizer(text, dialect);
  while (auto token = tokenizer.Next()) {
    if (token->kind == TokenKind::kWhitespace) continue;
    out.push_back(std::string(kNames[static_cast<int>(token->kind)]) + ":" +
                  std::string(token->text));
  }
  return out;
}

using Tokens = std::vector<std::string>;

TEST(TokenizerTest, PostgresTokens) {
  EXPECT_EQ(Describe("SELECT e'a\\'b', U&\"x\", $1, 1.5e3 -- c\n/* a /* b */ */$f$ ; $f$;",
                     Dialect::kPostgres),
            (Tokens{"word:SELECT", "string:e'a\\'b'", "punct:,", "ident:U&\"x\"", "punct:,",
                    "param:$1", "punct:,", "number:1.5e3", "comment:-- c",
                    "comment:/* a /* b */ */", "dollar:$f$ ; $f$", "punct:;"}));
  EXPECT_EQ(Describe("a$1 \"q\"\"q\" $ x", Dialect::kPostgres),
            (Tokens{"word:a$1", "ident:\"q\"\"q\"", "punct:$", "word:x"}));
}

TEST(TokenizerTest, MariaDbTokens) {
  EXPECT_EQ(Describe("--x\nSELECT \"a\\\"b\", `c``d`, ? # h\n--y\n/*!40101 SET */ \\N 1a",
                     Dialect::kMariaDb),
            (Tokens{"comment:--x", "word:SELECT", "string:\"a\\\"b\"", "punct:,", "ident:`c``d`",
                    "punct:,", "param:?", "comment:# h", "punct:-", "punct:-", "word:y",
                    "exec-comment:/*!", "word:40101", "word:SET", "punct:*", "punct:/", "punct:\\N",
                    "word:1a"}));
  // ';' is punctuation: DELIMITER lines are the splitter's business.
  EXPECT_EQ(Describe("a;b", Dialect::kMariaDb), (Tokens{"word:a", "punct:;", "word:b"}));
}

TEST(TokenizerTest, SqliteTokens) {
  EXPECT_EQ(Describe("SELECT [a b], `c`, ?12, ?, $v, 'it''s' -- x", Dialect::kSqlite),
            (Tokens{"word:SELECT", "ident:[a b]", "punct:,", "ident:`c`", "punct:,", "param:?12",
                    "punct:,", "param:?", "punct:,", "word:$v", "punct:,", "string:'it''s'",
                    "comment:-- x"}));
}

TEST(TokenizerTest, PositionsAreLinesAndCharacterColumns) {
  Tokenizer tokenizer("é x\n  y", Dialect::kPostgres);
  auto first = tokenizer.NextSignificant();
  auto second = tokenizer.NextSignificant();
  auto third = tokenizer.NextSignificant();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(second->text, "x");
  EXPECT_EQ(second->offset, 3u);
  EXPECT_EQ(second->line, 1);
  EXPECT_EQ(second->column, 3);
  EXPECT_EQ(third->line, 2);
  EXPECT_EQ(third->column, 3);
  EXPECT_FALSE(tokenizer.NextSignificant());
}

TEST(TokenizerTest, UnterminatedTokensRunToTheEnd) {
  Tokenizer tokenizer("SELECT 'abc", Dialect::kPostgres);
  EXPECT_TRUE(tokenizer.NextSignificant()->IsWord("select"));
  auto rest = tokenizer.NextSignificant();
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->kind, TokenKind::kString);
  EXPECT_EQ(rest->text, "'abc");
  EXPECT_EQ(tokenizer.error(), "unterminated quoted string");
  EXPECT_EQ(tokenizer.error_offset(), 7u);

  auto strict = Tokenize("SELECT $x$ body", Dialect::kPostgres);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().message,
            "<input>:1:8: unterminated dollar-quoted string $x$\n  SELECT $x$ body\n         ^");
}

TEST(TokenizerTest, SignificantTokensSkipWhitespaceAndComments) {
  std::vector<Token> tokens = SignificantTokens("/* a */ INSERT -- b\n INTO", Dialect::kSqlite);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_TRUE(tokens[0].IsWord("insert"));
  EXPECT_TRUE(tokens[1].IsWord("INTO"));
  EXPECT_FALSE(tokens[1].IsPunctuation('('));
}

}  // namespace
}  // namespace strata::db::sql
