// MariaDB/MySQL checks over the project's tokenizer (db/sql/tokenizer.h): what a statement
// does is read from its first words and, for ALTER TABLE, from each comma-separated clause.
// Also the token helpers the SQLite checks share (checks.h).
#include <fmt/format.h>

#include <string>

#include "base/strings.h"
#include "lint/checks.h"

namespace strata::lint::internal {

std::string IdentifierText(const db::sql::Token& token) {
  std::string_view text = token.text;
  if (token.kind == db::sql::TokenKind::kQuotedIdentifier && text.size() >= 2) {
    text = text.substr(1, text.size() - 2);
  }
  return AsciiLower(text);
}

std::size_t SkipWords(const Tokens& tokens, std::size_t i,
                      std::initializer_list<std::string_view> words) {
  for (bool skipped = true; skipped && i < tokens.size();) {
    skipped = false;
    for (std::string_view word : words) {
      if (tokens[i].IsWord(word)) {
        ++i;
        skipped = true;
        break;
      }
    }
  }
  return i;
}

std::string ReadName(const Tokens& tokens, std::size_t i, std::size_t& next) {
  next = i;
  std::string name;
  while (next < tokens.size() && (tokens[next].kind == db::sql::TokenKind::kWord ||
                                  tokens[next].kind == db::sql::TokenKind::kQuotedIdentifier)) {
    name = IdentifierText(tokens[next]);
    ++next;
    if (next + 1 < tokens.size() && tokens[next].IsPunctuation('.')) {
      ++next;
    } else {
      break;
    }
  }
  return name;
}

namespace {

using db::sql::Token;
using db::sql::TokenKind;

// The clauses of an ALTER TABLE: token ranges between commas outside parentheses.
std::vector<std::pair<std::size_t, std::size_t>> Clauses(const Tokens& tokens, std::size_t from) {
  std::vector<std::pair<std::size_t, std::size_t>> clauses;
  int depth = 0;
  std::size_t start = from;
  for (std::size_t i = from; i < tokens.size(); ++i) {
    if (tokens[i].IsPunctuation('(')) ++depth;
    if (tokens[i].IsPunctuation(')')) --depth;
    if (depth == 0 && tokens[i].IsPunctuation(',')) {
      clauses.emplace_back(start, i);
      start = i + 1;
    }
  }
  if (start < tokens.size()) clauses.emplace_back(start, tokens.size());
  return clauses;
}

// `ALGORITHM [=] value` / `LOCK [=] value` at tokens[i]: the value, lower-cased.
std::string OptionValue(const Tokens& tokens, std::size_t i) {
  std::size_t v = i + 1;
  if (v < tokens.size() && tokens[v].IsPunctuation('=')) ++v;
  return v < tokens.size() ? AsciiLower(tokens[v].text) : "";
}

bool HasWordAtDepthZero(const Tokens& tokens, std::size_t from, std::string_view word) {
  int depth = 0;
  for (std::size_t i = from; i < tokens.size(); ++i) {
    if (tokens[i].IsPunctuation('(')) ++depth;
    if (tokens[i].IsPunctuation(')')) --depth;
    if (depth == 0 && tokens[i].IsWord(word)) return true;
  }
  return false;
}

class MariaDbChecker {
 public:
  MariaDbChecker(const StatementInput& in, SetState& set, std::vector<Candidate>& out)
      : set_(set), out_(out) {
    for (const Token& t : db::sql::SignificantTokens(in.statement.text, db::Dialect::kMariaDb)) {
      // An executable comment's opener (`/*!40101`) is left out: its content is SQL.
      if (t.kind != TokenKind::kExecutableComment) tokens_.push_back(t);
    }
  }

  void Check() {
    if (tokens_.empty()) return;
    if (WordAt(tokens_, 0, "CREATE")) return OnCreate();
    if (WordAt(tokens_, 0, "ALTER")) return OnAlter();
    if (WordAt(tokens_, 0, "DROP")) return OnDrop();
    if (WordAt(tokens_, 0, "RENAME")) return OnRenameTable();
    if (WordAt(tokens_, 0, "TRUNCATE")) return OnTruncate();
    if (WordAt(tokens_, 0, "UPDATE") || WordAt(tokens_, 0, "DELETE")) return OnUpdateOrDelete();
  }

 private:
  void Add(std::string_view rule, std::string message, const std::string& table,
           std::size_t token = 0) {
    out_.push_back(Candidate{rule, std::move(message), table,
                             token < tokens_.size() ? tokens_[token].offset : 0, false, ""});
  }
  bool Existing(const std::string& table) const { return IsExisting(set_, table); }

  void OnCreate() {
    std::size_t i = SkipWords(tokens_, 1, {"OR", "REPLACE", "TEMPORARY", "DEFINER"});
    if (i < tokens_.size() && tokens_[i - 1].IsWord("DEFINER")) return OnRoutine(i);
    if (WordAt(tokens_, i, "TABLE")) {
      std::size_t next = 0;
      const std::string table =
          ReadName(tokens_, SkipWords(tokens_, i + 1, {"IF", "NOT", "EXISTS"}), next);
      if (!table.empty()) set_.new_tables.insert(table);
      return;
    }
    const std::size_t index_at = SkipWords(tokens_, i, {"UNIQUE", "FULLTEXT", "SPATIAL"});
    if (WordAt(tokens_, index_at, "INDEX")) return OnCreateIndex(i, index_at);
    OnRoutine(i);
  }

  void OnCreateIndex(std::size_t kind_at, std::size_t index_at) {
    std::size_t on = index_at;
    while (on < tokens_.size() && !tokens_[on].IsWord("ON")) ++on;
    std::size_t next = 0;
    const std::string table = ReadName(tokens_, on + 1, next);
    if (!Existing(table)) return;
    const bool fulltext =
        WordAt(tokens_, kind_at, "FULLTEXT") || WordAt(tokens_, kind_at, "SPATIAL");
    std::string algorithm;
    std::string lock;
    ReadAlgorithmLock(next, tokens_.size(), algorithm, lock);
    if (fulltext) {
      Add("MY202",
          fmt::format("CREATE {} INDEX on {} needs ALGORITHM=INPLACE, LOCK=SHARED: writes to {} "
                      "wait until it is built",
                      AsciiUpper(tokens_[kind_at].text), table, table),
          table);
    } else if (algorithm.empty() || lock.empty()) {
      Add("MY201",
          fmt::format("CREATE INDEX on {} without ALGORITHM=INPLACE, LOCK=NONE may copy the table "
                      "and block writes",
                      table),
          table);
    }
  }

  // CREATE PROCEDURE | FUNCTION | TRIGGER | EVENT: DDL in the body.
  void OnRoutine(std::size_t i) {
    while (i < tokens_.size() &&
           !(tokens_[i].IsWord("PROCEDURE") || tokens_[i].IsWord("FUNCTION") ||
             tokens_[i].IsWord("TRIGGER") || tokens_[i].IsWord("EVENT"))) {
      if (tokens_[i].IsWord("TABLE") || tokens_[i].IsWord("VIEW") || tokens_[i].IsWord("INDEX")) {
        return;
      }
      ++i;
    }
    if (i >= tokens_.size()) return;
    const std::string kind = AsciiUpper(tokens_[i].text);
    for (std::size_t j = i + 1; j + 1 < tokens_.size(); ++j) {
      const bool ddl = (tokens_[j].IsWord("ALTER") && tokens_[j + 1].IsWord("TABLE")) ||
                       (tokens_[j].IsWord("DROP") && tokens_[j + 1].IsWord("TABLE")) ||
                       (tokens_[j].IsWord("CREATE") && tokens_[j + 1].IsWord("TABLE")) ||
                       (tokens_[j].IsWord("RENAME") && tokens_[j + 1].IsWord("TABLE")) ||
                       tokens_[j].IsWord("TRUNCATE");
      if (ddl) {
        Add("MY207",
            fmt::format("{} body runs {} {}: DDL commits implicitly wherever the routine is "
                        "called",
                        kind, AsciiUpper(tokens_[j].text), AsciiUpper(tokens_[j + 1].text)),
            "", j);
        return;
      }
    }
  }

  void ReadAlgorithmLock(std::size_t from, std::size_t to, std::string& algorithm,
                         std::string& lock) const {
    for (std::size_t i = from; i < to; ++i) {
      if (tokens_[i].IsWord("ALGORITHM")) algorithm = OptionValue(tokens_, i);
      if (tokens_[i].IsWord("LOCK")) lock = OptionValue(tokens_, i);
    }
  }

  void OnAlter() {
    std::size_t i = SkipWords(tokens_, 1, {"ONLINE", "IGNORE"});
    if (!WordAt(tokens_, i, "TABLE")) return;
    std::size_t next = 0;
    const std::string table = ReadName(tokens_, SkipWords(tokens_, i + 1, {"IF", "EXISTS"}), next);
    if (!Existing(table)) return;
    std::string algorithm;
    std::string lock;
    std::string blocking;  // the first clause that cannot run in place without blocking writes
    std::size_t blocking_at = 0;
    bool adds_primary_key = false;
    for (const auto& [from, to] : Clauses(tokens_, next)) {
      ReadAlgorithmLock(from, to, algorithm, lock);
      const std::string why = OnAlterClause(table, from, to, adds_primary_key);
      if (!why.empty() && blocking.empty()) {
        blocking = why;
        blocking_at = from;
      }
    }
    if (blocking == "DROP PRIMARY KEY" && adds_primary_key) blocking.clear();
    const bool online =
        (algorithm == "inplace" || algorithm == "instant" || algorithm == "nocopy") &&
        (lock == "none" || (lock.empty() && algorithm == "instant"));
    if (algorithm == "copy" || lock == "shared" || lock == "exclusive") {
      Add("MY202",
          fmt::format("ALTER TABLE {} asks for {}: writes to {} wait until it finishes", table,
                      algorithm == "copy" ? "ALGORITHM=COPY" : "LOCK=" + AsciiUpper(lock), table),
          table);
    } else if (!blocking.empty() && !online) {
      Add("MY202",
          fmt::format("ALTER TABLE {} {} needs ALGORITHM=COPY, LOCK=SHARED on this server: writes "
                      "to {} wait for the whole copy",
                      table, blocking, table),
          table, blocking_at);
    } else if (blocking.empty() &&
               (algorithm.empty() || (lock.empty() && algorithm != "instant"))) {
      Add("MY201",
          fmt::format("ALTER TABLE {} without {}: the server falls back to a blocking copy when "
                      "it cannot do the change in place",
                      table,
                      algorithm.empty() && lock.empty() ? "ALGORITHM= and LOCK="
                      : algorithm.empty()               ? "ALGORITHM="
                                                        : "LOCK="),
          table);
    }
  }

  // One ALTER TABLE clause: reports drops and renames, returns what in it blocks writes ("" when
  // nothing).
  std::string OnAlterClause(const std::string& table, std::size_t from, std::size_t to,
                            bool& adds_primary_key) {
    auto word = [&](std::size_t k, std::string_view w) {
      return from + k < to && tokens_[from + k].IsWord(w);
    };
    if (word(0, "ADD")) {
      if (word(1, "PRIMARY")) adds_primary_key = true;
      if (word(1, "FULLTEXT") || word(1, "SPATIAL"))
        return "ADD " + AsciiUpper(tokens_[from + 1].text) + " INDEX";
      return "";
    }
    if (word(0, "DROP")) {
      if (word(1, "PRIMARY")) return "DROP PRIMARY KEY";
      if (word(1, "INDEX") || word(1, "KEY") || word(1, "FOREIGN") || word(1, "CONSTRAINT") ||
          word(1, "CHECK") || word(1, "PARTITION") || word(1, "SYSTEM")) {
        return "";
      }
      std::size_t next = 0;
      const std::string column =
          ReadName(tokens_, SkipWords(tokens_, from + 1, {"COLUMN", "IF", "EXISTS"}), next);
      Add("MY203",
          fmt::format("DROP COLUMN {}.{}: the running application still reads it", table, column),
          "", from);
      return "";
    }
    if (word(0, "RENAME")) {
      if (word(1, "INDEX") || word(1, "KEY")) return "";
      const bool column = word(1, "COLUMN");
      Add("MY204",
          column ? fmt::format("RENAME COLUMN on {}: the running application still uses the old "
                               "name",
                               table)
                 : fmt::format("RENAME of table {}: the running application still uses the old "
                               "name",
                               table),
          "", from);
      return "";
    }
    if (word(0, "CHANGE")) {
      const std::size_t at = SkipWords(tokens_, from + 1, {"COLUMN", "IF", "EXISTS"});
      if (at + 1 < to && IdentifierText(tokens_[at]) != IdentifierText(tokens_[at + 1])) {
        Add("MY204",
            fmt::format("CHANGE {} {} renames a column of {}: the running application still "
                        "uses the old name",
                        tokens_[at].text, tokens_[at + 1].text, table),
            "", from);
      }
      return "CHANGE COLUMN (a type change)";
    }
    if (word(0, "MODIFY")) return "MODIFY COLUMN (a type change)";
    if (word(0, "CONVERT")) return "CONVERT TO CHARACTER SET";
    if (word(0, "ORDER")) return "ORDER BY";
    return "";
  }

  void OnDrop() {
    const std::size_t i = SkipWords(tokens_, 1, {"TEMPORARY"});
    if (!WordAt(tokens_, i, "TABLE")) return;
    std::size_t next = SkipWords(tokens_, i + 1, {"IF", "EXISTS"});
    while (next < tokens_.size()) {
      const std::size_t at = next;
      const std::string table = ReadName(tokens_, at, next);
      if (table.empty()) break;
      if (Existing(table)) {
        Add("MY203", fmt::format("DROP TABLE {}: the running application still uses it", table), "",
            at);
      }
      if (next < tokens_.size() && tokens_[next].IsPunctuation(',')) {
        ++next;
      } else {
        break;
      }
    }
  }

  void OnRenameTable() {
    if (!WordAt(tokens_, 1, "TABLE")) return;
    std::size_t next = 2;
    while (next < tokens_.size()) {
      const std::size_t at = next;
      const std::string from = ReadName(tokens_, at, next);
      if (!WordAt(tokens_, next, "TO")) break;
      const std::string to = ReadName(tokens_, next + 1, next);
      if (Existing(from)) {
        Add("MY204",
            fmt::format("RENAME TABLE {} TO {}: the running application still uses the old name",
                        from, to),
            "", at);
      } else {
        set_.new_tables.insert(to);
      }
      if (next < tokens_.size() && tokens_[next].IsPunctuation(',')) {
        ++next;
      } else {
        break;
      }
    }
  }

  void OnTruncate() {
    std::size_t next = 0;
    const std::string table = ReadName(tokens_, SkipWords(tokens_, 1, {"TABLE"}), next);
    if (Existing(table)) Add("MY208", fmt::format("TRUNCATE {} removes every row", table), "");
  }

  void OnUpdateOrDelete() {
    const bool update = tokens_[0].IsWord("UPDATE");
    std::size_t i = SkipWords(tokens_, 1, {"LOW_PRIORITY", "QUICK", "IGNORE"});
    if (!update) {
      if (!WordAt(tokens_, i, "FROM")) return;  // multi-table DELETE t1, t2 FROM ...: rare
      ++i;
    }
    std::size_t next = 0;
    const std::string table = ReadName(tokens_, i, next);
    if (!Existing(table)) return;
    const std::string verb = update ? "UPDATE" : "DELETE";
    if (!HasWordAtDepthZero(tokens_, next, "WHERE")) {
      Add("MY205",
          fmt::format("{} of {} without WHERE touches every row in one transaction; "
                      "use a backfill job step",
                      verb, table),
          table);
    } else if (update) {
      Add("MY206",
          fmt::format("UPDATE of {} inside a migration holds its row locks until it "
                      "commits; for many rows use a backfill job step",
                      table),
          table);
    }
  }

  SetState& set_;
  std::vector<Candidate>& out_;
  Tokens tokens_;
};

}  // namespace

void CheckMariaDb(const StatementInput& in, FileState& /*file*/, SetState& set,
                  std::vector<Candidate>& out) {
  MariaDbChecker(in, set, out).Check();
}

}  // namespace strata::lint::internal
