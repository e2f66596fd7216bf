// SQLite checks over the project's tokenizer. SQLite's ALTER TABLE only renames a table or
// column, adds a column (without PRIMARY KEY, UNIQUE, NOT NULL without a default, or a
// non-constant default) and drops a column; anything else is the 12-step rebuild
// (https://www.sqlite.org/lang_altertable.html#otheralter). A DROP TABLE that a later
// `ALTER TABLE new RENAME TO <dropped>` in the same script replaces is that rebuild, not a
// drop.
#include <fmt/format.h>

#include <string>

#include "base/strings.h"
#include "lint/checks.h"

namespace strata::lint::internal {
namespace {

class SqliteChecker {
 public:
  SqliteChecker(const StatementInput& in, FileState& file, SetState& set,
                std::vector<Candidate>& out)
      : file_(file),
        set_(set),
        out_(out),
        tokens_(db::sql::SignificantTokens(in.statement.text, db::Dialect::kSqlite)) {}

  void Check() {
    if (WordAt(tokens_, 0, "CREATE")) return OnCreate();
    if (WordAt(tokens_, 0, "ALTER") && WordAt(tokens_, 1, "TABLE")) return OnAlter();
    if (WordAt(tokens_, 0, "DROP") && WordAt(tokens_, 1, "TABLE")) return OnDrop();
  }

 private:
  void Add(std::string_view rule, std::string message, std::size_t token = 0) {
    out_.push_back(Candidate{rule, std::move(message), "",
                             token < tokens_.size() ? tokens_[token].offset : 0, false, ""});
  }
  bool Existing(const std::string& table) const { return IsExisting(set_, table); }

  void OnCreate() {
    const std::size_t i = SkipWords(tokens_, 1, {"TEMP", "TEMPORARY", "VIRTUAL"});
    if (!WordAt(tokens_, i, "TABLE")) return;
    std::size_t next = 0;
    const std::string table =
        ReadName(tokens_, SkipWords(tokens_, i + 1, {"IF", "NOT", "EXISTS"}), next);
    if (!table.empty()) set_.new_tables.insert(table);
  }

  void OnAlter() {
    std::size_t next = 0;
    const std::string table = ReadName(tokens_, 2, next);
    if (WordAt(tokens_, next, "RENAME")) return OnRename(table, next);
    const bool adds_constraint =
        WordAt(tokens_, next + 1, "CONSTRAINT") || WordAt(tokens_, next + 1, "PRIMARY") ||
        WordAt(tokens_, next + 1, "UNIQUE") || WordAt(tokens_, next + 1, "CHECK") ||
        WordAt(tokens_, next + 1, "FOREIGN");
    if (WordAt(tokens_, next, "ADD") && !adds_constraint) return OnAddColumn(table, next);
    if (WordAt(tokens_, next, "DROP") && !WordAt(tokens_, next + 1, "CONSTRAINT")) {
      if (!Existing(table)) return;
      std::size_t after = 0;
      const std::string column = ReadName(tokens_, SkipWords(tokens_, next + 1, {"COLUMN"}), after);
      Add("SL302",
          fmt::format("DROP COLUMN {}.{} rewrites the table, and the running application still "
                      "reads the column",
                      table, column),
          next);
      return;
    }
    const std::string what = next < tokens_.size() ? AsciiUpper(tokens_[next].text) : "";
    Add("SL301",
        fmt::format("ALTER TABLE {} {}{}: SQLite cannot alter a table this way; rebuild it "
                    "(create, copy, drop, rename)",
                    table, what,
                    next + 1 < tokens_.size() ? " " + AsciiUpper(tokens_[next + 1].text) : ""),
        next);
  }

  void OnRename(const std::string& table, std::size_t at) {
    if (WordAt(tokens_, at + 1, "TO")) {
      std::size_t next = 0;
      const std::string to = ReadName(tokens_, at + 2, next);
      if (Existing(table)) {
        Add("SL303",
            fmt::format("RENAME of table {} to {}: the running application still uses the old "
                        "name",
                        table, to),
            at);
        return;
      }
      set_.new_tables.insert(to);
      for (const auto& [dropped, index] : file_.dropped_tables) {
        if (dropped == to && index < out_.size()) out_[index].cancelled = true;
      }
      return;
    }
    if (!Existing(table)) return;
    Add("SL303",
        fmt::format("RENAME COLUMN of {}: the running application still uses the old name", table),
        at);
  }

  // ADD [COLUMN] name type constraints...: what SQLite refuses to add to an existing table.
  void OnAddColumn(const std::string& table, std::size_t at) {
    const std::size_t from = SkipWords(tokens_, at + 1, {"COLUMN"});
    bool not_null = false;
    bool has_default = false;
    std::string refused;
    for (std::size_t i = from; i < tokens_.size() && refused.empty(); ++i) {
      if (tokens_[i].IsWord("PRIMARY")) refused = "a PRIMARY KEY";
      if (tokens_[i].IsWord("UNIQUE")) refused = "a UNIQUE constraint";
      if (tokens_[i].IsWord("STORED")) refused = "a STORED generated column";
      if (tokens_[i].IsWord("NOT") && WordAt(tokens_, i + 1, "NULL")) not_null = true;
      if (tokens_[i].IsWord("DEFAULT")) {
        has_default = true;
        if (i + 1 < tokens_.size() &&
            (tokens_[i + 1].IsPunctuation('(') || tokens_[i + 1].IsWord("CURRENT_TIME") ||
             tokens_[i + 1].IsWord("CURRENT_DATE") || tokens_[i + 1].IsWord("CURRENT_TIMESTAMP"))) {
          refused = "a non-constant DEFAULT";
        }
        if (WordAt(tokens_, i + 1, "NULL")) has_default = false;
      }
    }
    if (refused.empty() && not_null && !has_default) refused = "NOT NULL without a default";
    if (refused.empty()) return;
    Add("SL301",
        fmt::format("ALTER TABLE {} ADD COLUMN with {}: SQLite refuses it; rebuild the table "
                    "(create, copy, drop, rename)",
                    table, refused),
        at);
  }

  void OnDrop() {
    std::size_t next = 0;
    const std::string table = ReadName(tokens_, SkipWords(tokens_, 2, {"IF", "EXISTS"}), next);
    if (!Existing(table)) return;
    file_.dropped_tables.emplace_back(table, out_.size());
    Add("SL302", fmt::format("DROP TABLE {}: the running application still uses it", table), 0);
  }

  FileState& file_;
  SetState& set_;
  std::vector<Candidate>& out_;
  Tokens tokens_;
};

}  // namespace

void CheckSqlite(const StatementInput& in, FileState& file, SetState& set,
                 std::vector<Candidate>& out) {
  SqliteChecker(in, file, set, out).Check();
}

}  // namespace strata::lint::internal
