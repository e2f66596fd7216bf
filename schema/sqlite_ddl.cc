#include "schema/sqlite_ddl.h"

#include <algorithm>

#include "base/strings.h"
#include "db/sql/tokenizer.h"
#include "schema/introspect.h"

namespace strata::schema::internal {
namespace {

// A statement's tokens, whitespace and comments left out.
class Statement {
 public:
  explicit Statement(std::string_view sql)
      : sql_(sql), tokens_(db::sql::SignificantTokens(sql, db::Dialect::kSqlite)) {}

  std::size_t size() const { return tokens_.size(); }
  std::string_view Raw(std::size_t i) const { return tokens_[i].text; }
  // Whether token i is the keyword `word` (any case).
  bool IsWord(std::size_t i, std::string_view word) const {
    return i < tokens_.size() && tokens_[i].IsWord(word);
  }
  bool IsPunct(std::size_t i, char c) const {
    return i < tokens_.size() && tokens_[i].IsPunctuation(c);
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
    const std::size_t begin = tokens_[first].offset;
    const std::size_t end = tokens_[last - 1].offset + tokens_[last - 1].text.size();
    return NormaliseSql(sql_.substr(begin, end - begin), db::Dialect::kSqlite);
  }
  // An identifier's name without its quotes.
  std::string Name(std::size_t i) const {
    if (i >= tokens_.size()) return "";
    std::string_view raw = Raw(i);
    if (tokens_[i].kind == db::sql::TokenKind::kWord || raw.size() < 2) return std::string(raw);
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
  std::vector<db::sql::Token> tokens_;
};

// Reads a column definition or table constraint's CHECK clauses, collation and generation.
void ReadClauses(const Statement& s, std::size_t begin, std::size_t end, SqliteColumnDdl& out) {
  std::string constraint_name;
  for (std::size_t i = begin; i < end; ++i) {
    if (s.IsPunct(i, '(')) {
      i = s.Matching(i);
    } else if (s.IsWord(i, "CONSTRAINT")) {
      constraint_name = s.Name(++i);
    } else if (s.IsWord(i, "COLLATE")) {
      out.collation = AsciiUpper(s.Name(++i));
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
    table.columns[AsciiLower(s.Name(begin))] = std::move(column);
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
  return NormaliseSql(sql, db::Dialect::kSqlite);
}

std::string SqliteVirtualTableModule(std::string_view sql) {
  const Statement s(sql);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.IsWord(i, "USING")) return s.Text(i + 1, s.size());
  }
  return NormaliseSql(sql, db::Dialect::kSqlite);
}

}  // namespace strata::schema::internal
