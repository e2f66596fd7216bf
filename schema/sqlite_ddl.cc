#include "schema/sqlite_ddl.h"

#include <algorithm>
#include <cctype>

#include "schema/introspect.h"

namespace strata::schema::internal {
namespace {

enum class TokenKind { kWord, kQuoted, kString, kPunct };

struct Token {
  TokenKind kind;
  std::size_t begin;  // byte offsets into the statement
  std::size_t end;
};

bool IsWordChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_' || c == '$' || u >= 0x80;
}

// Splits SQLite SQL into tokens, dropping whitespace and comments.
std::vector<Token> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
      const char close = c == '[' ? ']' : c;
      std::size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == close) {
          if (close != ']' && j + 1 < sql.size() && sql[j + 1] == close) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      const std::size_t end = std::min(j + 1, sql.size());
      tokens.push_back({c == '\'' ? TokenKind::kString : TokenKind::kQuoted, i, end});
      i = end;
    } else if (IsWordChar(c)) {
      std::size_t j = i + 1;
      while (j < sql.size() && IsWordChar(sql[j])) ++j;
      tokens.push_back({TokenKind::kWord, i, j});
      i = j;
    } else {
      tokens.push_back({TokenKind::kPunct, i, i + 1});
      ++i;
    }
  }
  return tokens;
}

class Statement {
 public:
  explicit Statement(std::string_view sql) : sql_(sql), tokens_(Tokenize(sql)) {}

  std::size_t size() const { return tokens_.size(); }
  std::string_view Raw(std::size_t i) const {
    return sql_.substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin);
  }
  bool IsWord(std::size_t i, std::string_view word) const {
    if (i >= tokens_.size() || tokens_[i].kind != TokenKind::kWord) return false;
    const std::string_view raw = Raw(i);
    return raw.size() == word.size() &&
           std::equal(raw.begin(), raw.end(), word.begin(), [](char a, char b) {
             return std::toupper(static_cast<unsigned char>(a)) == b;
           });
  }
  bool IsPunct(std::size_t i, char c) const {
    return i < tokens_.size() && tokens_[i].kind == TokenKind::kPunct &&
           sql_[tokens_[i].begin] == c;
  }
  // The index of the ')' matching the '(' at `open`, or size() when unbalanced.
  std::size_t Matching(std::size_t open) const {
    int depth = 0;
    for (std::size_t i = open; i < tokens_.size(); ++i) {
      if (IsPunct(i, '(')) ++depth;
      if (IsPunct(i, ')') && --depth == 0) return i;
    }
    return tokens_.size();
  }
  // The first token index >= from that is '(' at nesting depth 0.
  std::size_t FindOpen(std::size_t from, std::size_t to) const {
    for (std::size_t i = from; i < to; ++i) {
      if (IsPunct(i, '(')) return i;
    }
    return to;
  }
  // The source text of tokens [first, last), normalised; "" when empty.
  std::string Text(std::size_t first, std::size_t last) const {
    if (first >= last || first >= tokens_.size()) return "";
    last = std::min(last, tokens_.size());
    return NormaliseSql(
        sql_.substr(tokens_[first].begin, tokens_[last - 1].end - tokens_[first].begin), false,
        true);
  }
  // An identifier's name without its quotes.
  std::string Name(std::size_t i) const {
    if (i >= tokens_.size()) return "";
    std::string_view raw = Raw(i);
    if (tokens_[i].kind == TokenKind::kWord || raw.size() < 2) return std::string(raw);
    const char close = raw.back();
    std::string name;
    for (std::size_t k = 1; k + 1 < raw.size(); ++k) {
      name += raw[k];
      if (raw[k] == close && close != ']' && k + 2 < raw.size() && raw[k + 1] == close) ++k;
    }
    return name;
  }
  // Ranges [begin, end) of the comma-separated items between '(' at `open` and its ')'.
  std::vector<std::pair<std::size_t, std::size_t>> Items(std::size_t open,
                                                         std::size_t close) const {
    std::vector<std::pair<std::size_t, std::size_t>> items;
    int depth = 0;
    std::size_t start = open + 1;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (IsPunct(i, '(')) ++depth;
      if (IsPunct(i, ')')) --depth;
      if (depth == 0 && IsPunct(i, ',')) {
        items.emplace_back(start, i);
        start = i + 1;
      }
    }
    if (start < close) items.emplace_back(start, close);
    return items;
  }

 private:
  std::string_view sql_;
  std::vector<Token> tokens_;
};

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// Reads a column definition or table constraint's CHECK clauses, collation and generation.
void ReadClauses(const Statement& s, std::size_t begin, std::size_t end, SqliteColumnDdl& out) {
  std::string constraint_name;
  for (std::size_t i = begin; i < end; ++i) {
    if (s.IsPunct(i, '(')) {
      i = s.Matching(i);
    } else if (s.IsWord(i, "CONSTRAINT")) {
      constraint_name = s.Name(++i);
    } else if (s.IsWord(i, "COLLATE")) {
      out.collation = Upper(s.Name(++i));
    } else if (s.IsWord(i, "AUTOINCREMENT")) {
      out.autoincrement = true;
    } else if (s.IsWord(i, "CHECK") && s.IsPunct(i + 1, '(')) {
      const std::size_t close = s.Matching(i + 1);
      std::string check = constraint_name.empty() ? "(" : constraint_name + " (";
      check += s.Text(i + 2, close);
      check += ")";
      out.checks.push_back(std::move(check));
      constraint_name.clear();
      i = close;
    } else if (s.IsWord(i, "AS") && s.IsPunct(i + 1, '(')) {
      const std::size_t close = s.Matching(i + 1);
      out.generated = s.Text(i + 2, close);
      out.stored = s.IsWord(close + 1, "STORED");
      i = close;
    }
  }
}

bool StartsTableConstraint(const Statement& s, std::size_t i) {
  return s.IsWord(i, "CONSTRAINT") || s.IsWord(i, "PRIMARY") || s.IsWord(i, "UNIQUE") ||
         s.IsWord(i, "CHECK") || s.IsWord(i, "FOREIGN");
}

}  // namespace

SqliteTableDdl ParseSqliteCreateTable(std::string_view sql) {
  SqliteTableDdl table;
  const Statement s(sql);
  const std::size_t open = s.FindOpen(0, s.size());
  if (open == s.size()) return table;
  const std::size_t close = s.Matching(open);
  for (const auto& [begin, end] : s.Items(open, close)) {
    if (StartsTableConstraint(s, begin)) {
      SqliteColumnDdl constraint;
      ReadClauses(s, begin, end, constraint);
      table.checks.insert(table.checks.end(), constraint.checks.begin(), constraint.checks.end());
      continue;
    }
    SqliteColumnDdl column;
    ReadClauses(s, begin + 1, end, column);
    table.columns[Lower(s.Name(begin))] = std::move(column);
  }
  if (close < s.size()) table.options = s.Text(close + 1, s.size());
  return table;
}

SqliteIndexDdl ParseSqliteCreateIndex(std::string_view sql) {
  SqliteIndexDdl index;
  const Statement s(sql);
  std::size_t on = 0;
  while (on < s.size() && !s.IsWord(on, "ON")) ++on;
  const std::size_t open = s.FindOpen(on, s.size());
  if (open == s.size()) return index;
  const std::size_t close = s.Matching(open);
  for (const auto& [begin, end] : s.Items(open, close)) index.items.push_back(s.Text(begin, end));
  if (s.IsWord(close + 1, "WHERE")) index.where = s.Text(close + 2, s.size());
  return index;
}

std::string SqliteViewQuery(std::string_view sql) {
  const Statement s(sql);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.IsPunct(i, '(')) i = s.Matching(i);
    if (s.IsWord(i, "AS")) return s.Text(i + 1, s.size());
  }
  return NormaliseSql(sql, false, true);
}

std::string SqliteVirtualTableModule(std::string_view sql) {
  const Statement s(sql);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.IsWord(i, "USING")) return s.Text(i + 1, s.size());
  }
  return NormaliseSql(sql, false, true);
}

}  // namespace strata::schema::internal
