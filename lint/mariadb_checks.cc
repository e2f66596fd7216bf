// MariaDB/MySQL checks over the project's tokenizer (db/sql/tokenizer.h): what a statement
// does is read from its first words and, for ALTER TABLE, from each comma-separated clause.
// Also the token helpers the SQLite checks share (checks.h).
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "base/strings.h"
#include "lint/checks.h"
#include "lint/online_ddl.h"

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
      : set_(set), out_(out), server_{in.mysql, in.server_version} {
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
  // The columns "a,b" of the index the statement adds, for a live check against the existing
  // indexes (linter.h: Finding::live_key); "" when it adds none, or not on plain columns.
  void AddOnlineDdl(std::string_view rule, std::string message, const std::string& table,
                    std::size_t token) {
    Add(rule, std::move(message), table, token);
    out_.back().live_key = index_columns_;
  }

  // Reads `(a, b DESC)` at tokens[i]: "a,b"; "" for anything but plain columns (a prefix
  // `a(10)`, an expression).
  std::string IndexColumns(std::size_t i, std::size_t to) const {
    if (i >= to || !tokens_[i].IsPunctuation('(')) return "";
    std::string columns;
    for (++i; i < to; ++i) {
      if (tokens_[i].kind != TokenKind::kWord && tokens_[i].kind != TokenKind::kQuotedIdentifier) {
        return "";
      }
      columns += (columns.empty() ? "" : ",") + IdentifierText(tokens_[i]);
      i = SkipWords(tokens_, i + 1, {"ASC", "DESC"});
      if (i < to && tokens_[i].IsPunctuation(')')) return columns;
      if (i >= to || !tokens_[i].IsPunctuation(',')) return "";
    }
    return "";
  }
  // The first `(` at or after tokens[i], before `to`.
  std::size_t OpeningParenthesis(std::size_t i, std::size_t to) const {
    while (i < to && !tokens_[i].IsPunctuation('(')) ++i;
    return i;
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
    index_columns_ = IndexColumns(next, tokens_.size());
    AlterKind kind = AlterKind::kAddIndex;
    if (WordAt(tokens_, kind_at, "UNIQUE")) kind = AlterKind::kAddUniqueIndex;
    if (WordAt(tokens_, kind_at, "FULLTEXT")) kind = AlterKind::kAddFulltextIndex;
    if (WordAt(tokens_, kind_at, "SPATIAL")) kind = AlterKind::kAddSpatialIndex;
    Asked asked;
    ReadAlgorithmLock(next, tokens_.size(), asked);
    const std::string what = fmt::format(
        "CREATE {}INDEX on {}",
        kind == AlterKind::kAddIndex ? "" : AsciiUpper(tokens_[kind_at].text) + " ", table);
    JudgeOnlineDdl(table, what, kind, BestOnlineDdl(kind, server_), asked, 0);
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

  // What the statement's ALGORITHM= and LOCK= ask for; `written` when either is there at all.
  struct Asked {
    bool algorithm_written = false;
    bool lock_written = false;
    std::optional<AlterAlgorithm> algorithm;  // nullopt: DEFAULT
    std::optional<AlterLock> lock;
  };

  void ReadAlgorithmLock(std::size_t from, std::size_t to, Asked& asked) const {
    for (std::size_t i = from; i < to; ++i) {
      if (tokens_[i].IsWord("ALGORITHM")) {
        asked.algorithm_written = true;
        asked.algorithm = ParseAlgorithm(OptionValue(tokens_, i));
      }
      if (tokens_[i].IsWord("LOCK")) {
        asked.lock_written = true;
        asked.lock = ParseLock(OptionValue(tokens_, i));
      }
    }
  }

  // The source text of tokens [from, to), its whitespace collapsed, cut at about 60 characters.
  std::string TextOf(std::size_t from, std::size_t to) const {
    std::string text;
    for (std::size_t i = from; i < to; ++i) {
      if (!text.empty()) text += ' ';
      text += tokens_[i].text;
      if (text.size() > 60) return text + " ...";
    }
    return text;
  }

  void OnAlter() {
    std::size_t i = SkipWords(tokens_, 1, {"ONLINE", "IGNORE"});
    if (!WordAt(tokens_, i, "TABLE")) return;
    std::size_t next = 0;
    const std::string table = ReadName(tokens_, SkipWords(tokens_, i + 1, {"IF", "EXISTS"}), next);
    if (!Existing(table)) return;
    Asked asked;
    struct Known {
      AlterKind kind;
      std::size_t from, to;
    };
    std::vector<Known> known;
    for (const auto& [from, to] : Clauses(tokens_, next)) {
      ReadAlgorithmLock(from, to, asked);
      if (auto kind = OnAlterClause(table, from, to)) known.push_back({*kind, from, to});
    }
    // DROP PRIMARY KEY with ADD PRIMARY KEY in one statement replaces the key in place.
    const bool adds_primary_key = std::any_of(known.begin(), known.end(), [](const Known& k) {
      return k.kind == AlterKind::kAddPrimaryKey;
    });
    std::optional<OnlineDdl> need;
    const Known* worst = nullptr;  // the first clause that needs as much as the whole statement
    for (const Known& k : known) {
      if (k.kind == AlterKind::kDropPrimaryKey && adds_primary_key) continue;
      const OnlineDdl ddl = BestOnlineDdl(k.kind, server_);
      const auto rank = [](const OnlineDdl& d) { return std::pair(d.algorithm, d.lock); };
      if (worst == nullptr || rank(ddl) > rank(BestOnlineDdl(worst->kind, server_))) worst = &k;
      need = need ? Combine(*need, ddl) : ddl;
    }
    if (!need) return OnUnknownAlter(table, asked);
    JudgeOnlineDdl(table, fmt::format("ALTER TABLE {} {}", table, TextOf(worst->from, worst->to)),
                   worst->kind, *need, asked, worst->from);
  }

  // An ALTER of clauses the online DDL model does not know (table options, partitions): only
  // whether it says how it may run.
  void OnUnknownAlter(const std::string& table, const Asked& asked) {
    if (asked.algorithm == AlterAlgorithm::kCopy ||
        (asked.lock && *asked.lock != AlterLock::kNone)) {
      return AddAskedToBlock(table, asked);
    }
    if (asked.algorithm_written &&
        (asked.lock_written || asked.algorithm == AlterAlgorithm::kInstant)) {
      return;
    }
    Add("MY201",
        fmt::format("ALTER TABLE {} without {}: the server falls back to a blocking copy when "
                    "it cannot do the change in place",
                    table,
                    !asked.algorithm_written && !asked.lock_written ? "ALGORITHM= and LOCK="
                    : !asked.algorithm_written                      ? "ALGORITHM="
                                                                    : "LOCK="),
        table);
  }

  void AddAskedToBlock(const std::string& table, const Asked& asked) {
    Add("MY202",
        fmt::format("ALTER TABLE {} asks for {}: writes to {} wait until it finishes", table,
                    asked.algorithm == AlterAlgorithm::kCopy
                        ? std::string("ALGORITHM=COPY")
                        : fmt::format("LOCK={}", LockName(*asked.lock)),
                    table),
        table);
  }

  // The findings of one ALTER (or CREATE INDEX) that needs `need` at best on this server,
  // `kind` being its most demanding clause, `what` how it reads ("ALTER TABLE orders MODIFY
  // amount BIGINT").
  void JudgeOnlineDdl(const std::string& table, const std::string& what, AlterKind kind,
                      const OnlineDdl& need, const Asked& asked, std::size_t at) {
    const std::string server = MyServerName(server_);
    if (asked.algorithm == AlterAlgorithm::kCopy ||
        (asked.lock && *asked.lock != AlterLock::kNone && !need.BlocksWrites())) {
      return AddAskedToBlock(table, asked);
    }
    const bool refused = (asked.algorithm && *asked.algorithm < need.algorithm) ||
                         (asked.lock && *asked.lock < need.lock);
    if (refused) {
      Add("MY209",
          fmt::format("{} cannot run {} on {}: the server refuses it (the best it can do for {} "
                      "is {})",
                      what,
                      asked.algorithm && *asked.algorithm < need.algorithm
                          ? fmt::format("ALGORITHM={}", AlgorithmName(*asked.algorithm))
                          : fmt::format("LOCK={}", LockName(*asked.lock)),
                      server, AlterKindName(kind), OnlineDdlClauses(need)),
          "", at);
      return;
    }
    if (need.BlocksWrites()) {
      const std::string_view hint = AlterKindHint(kind);
      Add("MY202",
          fmt::format(
              "{} needs {} on {}: writes to {} wait {}{}{}", what, OnlineDdlClauses(need), server,
              table,
              need.algorithm == AlterAlgorithm::kCopy ? "for the whole copy" : "until it finishes",
              hint.empty() ? "" : "; ", hint),
          table, at);
      return;
    }
    const bool instant = need.algorithm == AlterAlgorithm::kInstant;
    if (!asked.algorithm) {
      // CREATE INDEX writes its options without a comma between them.
      std::string clauses = OnlineDdlClauses(need);
      if (tokens_[0].IsWord("CREATE"))
        clauses.erase(std::remove(clauses.begin(), clauses.end(), ','), clauses.end());
      AddOnlineDdl(
          "MY201",
          fmt::format("{} can run {} on {}: add {} so the server refuses rather than copies", what,
                      OnlineDdlClauses(need), server, clauses),
          table, at);
    } else if (!asked.lock && *asked.algorithm != AlterAlgorithm::kInstant && !instant) {
      AddOnlineDdl(
          "MY201",
          fmt::format("{} runs {} on {} without LOCK=: add LOCK=NONE so the server refuses "
                      "rather than blocks writes",
                      what, OnlineDdlClauses(need), server),
          table, at);
    }
  }

  // One ALTER TABLE clause: reports drops and renames, returns its kind (nullopt when the
  // online DDL model does not know it).
  std::optional<AlterKind> OnAlterClause(const std::string& table, std::size_t from,
                                         std::size_t to) {
    auto word = [&](std::size_t k, std::string_view w) {
      return from + k < to && tokens_[from + k].IsWord(w);
    };
    auto has_word = [&](std::string_view w) {
      for (std::size_t k = from; k < to; ++k) {
        if (tokens_[k].IsWord(w)) return true;
      }
      return false;
    };
    if (word(0, "ADD")) {
      std::size_t k = 1;
      if (word(1, "CONSTRAINT")) {
        k = 2;
        if (!(word(2, "PRIMARY") || word(2, "UNIQUE") || word(2, "FOREIGN") || word(2, "CHECK"))) {
          k = 3;
        }
      }
      const bool index = word(k, "UNIQUE") || word(k, "INDEX") || word(k, "KEY");
      if (index && index_columns_.empty()) {
        index_columns_ = IndexColumns(OpeningParenthesis(from + k, to), to);
      }
      if (word(k, "PRIMARY")) return AlterKind::kAddPrimaryKey;
      if (word(k, "UNIQUE")) return AlterKind::kAddUniqueIndex;
      if (word(k, "FOREIGN")) return AlterKind::kAddForeignKey;
      if (word(k, "CHECK")) return AlterKind::kAddCheck;
      if (word(k, "FULLTEXT")) return AlterKind::kAddFulltextIndex;
      if (word(k, "SPATIAL")) return AlterKind::kAddSpatialIndex;
      if (word(k, "INDEX") || word(k, "KEY")) return AlterKind::kAddIndex;
      if (word(1, "PARTITION") || word(1, "PERIOD") || word(1, "SYSTEM")) return std::nullopt;
      if (has_word("AUTO_INCREMENT")) return AlterKind::kAddAutoIncrementColumn;
      if (has_word("FIRST") || has_word("AFTER")) return AlterKind::kAddColumnPositioned;
      return AlterKind::kAddColumnLast;
    }
    if (word(0, "DROP")) {
      if (word(1, "PRIMARY")) return AlterKind::kDropPrimaryKey;
      if (word(1, "INDEX") || word(1, "KEY")) return AlterKind::kDropIndex;
      if (word(1, "FOREIGN")) return AlterKind::kDropForeignKey;
      if (word(1, "CONSTRAINT") || word(1, "CHECK")) return AlterKind::kDropCheck;
      if (word(1, "PARTITION") || word(1, "SYSTEM") || word(1, "PERIOD")) return std::nullopt;
      std::size_t next = 0;
      const std::string column =
          ReadName(tokens_, SkipWords(tokens_, from + 1, {"COLUMN", "IF", "EXISTS"}), next);
      Add("MY203",
          fmt::format("DROP COLUMN {}.{}: the running application still reads it", table, column),
          "", from);
      return AlterKind::kDropColumn;
    }
    if (word(0, "RENAME")) {
      if (word(1, "INDEX") || word(1, "KEY")) return AlterKind::kRenameIndex;
      const bool column = word(1, "COLUMN");
      Add("MY204",
          column ? fmt::format("RENAME COLUMN on {}: the running application still uses the old "
                               "name",
                               table)
                 : fmt::format("RENAME of table {}: the running application still uses the old "
                               "name",
                               table),
          "", from);
      return column ? AlterKind::kRenameColumn : AlterKind::kRenameTable;
    }
    if (word(0, "CHANGE")) {
      const std::size_t at = SkipWords(tokens_, from + 1, {"COLUMN", "IF", "EXISTS"});
      if (at + 1 < to && IdentifierText(tokens_[at]) != IdentifierText(tokens_[at + 1])) {
        Add("MY204",
            fmt::format("CHANGE {} {} renames a column of {}: the running application still "
                        "uses the old name",
                        tokens_[at].text, tokens_[at + 1].text, table),
            "", from);
        return AlterKind::kRenameColumn;
      }
      return ModifiedColumnKind(at + 2, to);
    }
    if (word(0, "MODIFY")) {
      return ModifiedColumnKind(SkipWords(tokens_, from + 1, {"COLUMN", "IF", "EXISTS"}) + 1, to);
    }
    if (word(0, "ALTER")) {
      const std::size_t at = SkipWords(tokens_, from + 1, {"COLUMN", "IF", "EXISTS"}) + 1;
      if (WordAt(tokens_, at, "SET") || WordAt(tokens_, at, "DROP")) return AlterKind::kSetDefault;
      return std::nullopt;
    }
    if (word(0, "CONVERT")) return AlterKind::kConvertCharset;
    if (word(0, "ENGINE") || word(0, "FORCE") || word(0, "ROW_FORMAT")) return AlterKind::kRebuild;
    if (word(0, "AUTO_INCREMENT")) return AlterKind::kAutoIncrementValue;
    return std::nullopt;
  }

  // MODIFY / CHANGE to the definition at tokens[at]: offline strata does not know the column's
  // current definition, so a VARCHAR / VARBINARY is taken for a widening and anything else for
  // a type change.
  std::optional<AlterKind> ModifiedColumnKind(std::size_t at, std::size_t to) const {
    if (at < to && (tokens_[at].IsWord("VARCHAR") || tokens_[at].IsWord("VARBINARY"))) {
      return AlterKind::kWidenVarchar;
    }
    return AlterKind::kChangeColumnType;
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
  MyServer server_;  // version 0: the newest
  Tokens tokens_;
  std::string index_columns_;  // of the index the statement adds (AddOnlineDdl)
};

}  // namespace

void CheckMariaDb(const StatementInput& in, FileState& /*file*/, SetState& set,
                  std::vector<Candidate>& out) {
  MariaDbChecker(in, set, out).Check();
}

}  // namespace strata::lint::internal
