// PostgreSQL's checks, over the parse tree of PostgreSQL's own parser: libpg_query (the
// PostgreSQL 15 grammar as a library) returns each statement's tree as JSON, which is read here
// with nlohmann-json. Node and field names are the parser's own (parsenodes.h): IndexStmt,
// AlterTableStmt with AlterTableCmd subtypes AT_*, Constraint contype CONSTR_*.
#include <fmt/format.h>
#include <pg_query.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "base/strings.h"
#include "lint/checks.h"

namespace strata::lint::internal {
namespace {

using Json = nlohmann::json;

// Frees libpg_query's result whatever happens.
class ParseResult {
 public:
  explicit ParseResult(const std::string& sql) : result_(pg_query_parse(sql.c_str())) {}
  ~ParseResult() { pg_query_free_parse_result(result_); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
  const PgQueryParseResult& get() const { return result_; }

 private:
  PgQueryParseResult result_;
};

const Json& Field(const Json& node, const char* name) {
  static const Json kNull;
  if (!node.is_object()) return kNull;
  auto it = node.find(name);
  return it == node.end() ? kNull : *it;
}

std::string Text(const Json& node, const char* name) {
  const Json& value = Field(node, name);
  return value.is_string() ? value.get<std::string>() : std::string();
}

bool Flag(const Json& node, const char* name) {
  const Json& value = Field(node, name);
  return value.is_boolean() && value.get<bool>();
}

// The table a RangeVar names, lower-cased (the parser already folds unquoted names).
std::string TableOf(const Json& range_var) { return AsciiLower(Text(range_var, "relname")); }

// The last name of a qualified name list [{"String":{"sval":"pg_catalog"}}, ...].
std::string LastName(const Json& names) {
  if (!names.is_array() || names.empty()) return "";
  return Text(Field(names.back(), "String"), "sval");
}

// Functions whose value changes per row, which make ADD COLUMN ... DEFAULT rewrite the table.
// A deny list: any other function is taken as stable, as most defaults are (now(), constants).
bool IsVolatileFunction(const std::string& name) {
  static constexpr std::array<std::string_view, 12> kVolatile = {
      "random",           "gen_random_uuid", "uuid_generate_v1",   "uuid_generate_v1mc",
      "uuid_generate_v4", "clock_timestamp", "timeofday",          "nextval",
      "setseed",          "txid_current",    "pg_current_xact_id", "random_normal"};
  return std::find(kVolatile.begin(), kVolatile.end(), name) != kVolatile.end();
}

bool HasVolatileCall(const Json& expr) {
  if (expr.is_object()) {
    for (const auto& [key, value] : expr.items()) {
      if (key == "FuncCall" && IsVolatileFunction(AsciiLower(LastName(Field(value, "funcname"))))) {
        return true;
      }
      if (HasVolatileCall(value)) return true;
    }
  } else if (expr.is_array()) {
    for (const Json& item : expr) {
      if (HasVolatileCall(item)) return true;
    }
  }
  return false;
}

bool IsSerialType(const std::string& type) {
  return type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial2" ||
         type == "serial4" || type == "serial8";
}

// The type as written, for messages: "varchar(200)", "bigint".
std::string TypeText(const Json& type_name) {
  std::string name = LastName(Field(type_name, "names"));
  const Json& mods = Field(type_name, "typmods");
  if (mods.is_array() && !mods.empty()) {
    std::vector<std::string> parts;
    for (const Json& mod : mods) {
      const Json& value = Field(Field(Field(mod, "A_Const"), "ival"), "ival");
      parts.push_back(value.is_number() ? std::to_string(value.get<long long>()) : "?");
    }
    name += fmt::format("({})", fmt::join(parts, ","));
  }
  return name;
}

class PostgresChecker {
 public:
  PostgresChecker(const StatementInput& in, FileState& file, SetState& set,
                  std::vector<Candidate>& out)
      : in_(in), file_(file), set_(set), out_(out) {}

  void Check(const std::string& node_type, const Json& node) {
    if (in_.statement.no_transaction) CheckNoTransaction(node_type);
    if (node_type == "TransactionStmt") return OnTransaction(node);
    if (node_type == "VariableSetStmt") return OnSet(node);
    if (node_type == "CreateStmt") return OnCreate(Field(node, "relation"));
    if (node_type == "CreateTableAsStmt") return OnCreate(Field(Field(node, "into"), "rel"));
    if (node_type == "IndexStmt") return OnIndex(node);
    if (node_type == "AlterTableStmt") return OnAlterTable(node);
    if (node_type == "RenameStmt") return OnRename(node);
    if (node_type == "DropStmt") return OnDrop(node);
    if (node_type == "TruncateStmt") return OnTruncate(node);
    if (node_type == "VacuumStmt") return OnVacuum(node);
    if (node_type == "ClusterStmt") return OnCluster(node);
    if (node_type == "ReindexStmt") return OnReindex(node);
    if (node_type == "UpdateStmt") return OnUpdateOrDelete(node, "UPDATE");
    if (node_type == "DeleteStmt") return OnUpdateOrDelete(node, "DELETE");
  }

 private:
  void Add(std::string_view rule, std::string message, const std::string& table = "") {
    out_.push_back(Candidate{rule, std::move(message), table, 0, false, ""});
  }
  // A finding that a live fact about `table` may settle (Candidate::live_key).
  void AddSettleable(std::string_view rule, std::string message, const std::string& table,
                     std::string live_key) {
    Add(rule, std::move(message), table);
    out_.back().live_key = std::move(live_key);
  }
  bool Existing(const std::string& table) const { return IsExisting(set_, table); }
  int version() const { return in_.server_version; }
  bool VersionBelow(int number) const { return version() > 0 && version() < number; }

  // PG109, once per script: the first write-blocking DDL on an existing table with no
  // SET lock_timeout before it in the script.
  void NeedLockTimeout(const std::string& table, std::string_view what) {
    if (!Existing(table) || file_.lock_timeout_set || file_.lock_timeout_reported) return;
    file_.lock_timeout_reported = true;
    Add("PG109",
        fmt::format("{} on {} runs without a lock_timeout: while it waits for its lock, every "
                    "query on {} waits behind it",
                    what, table, table),
        table);
  }

  void CheckNoTransaction(const std::string& node_type) {
    const std::string what = node_type == "IndexStmt"     ? "CREATE INDEX CONCURRENTLY"
                             : node_type == "VacuumStmt"  ? "VACUUM"
                             : node_type == "ReindexStmt" ? "REINDEX CONCURRENTLY"
                                                          : std::string(in_.statement.keyword());
    if (file_.explicit_transaction > 0) {
      Add("PG110", fmt::format("{} inside BEGIN ... COMMIT fails: it cannot run in a "
                               "transaction block",
                               what));
    } else if (file_.statement_count > file_.no_transaction_count) {
      const std::size_t others = file_.statement_count - file_.no_transaction_count;
      Add("PG110", fmt::format("{} in a script with {} transactional statement{}: the script "
                               "then runs without a transaction, so a failure leaves it half "
                               "applied; give it a migration of its own",
                               what, others, others == 1 ? "" : "s"));
    }
  }

  void OnTransaction(const Json& node) {
    const std::string kind = Text(node, "kind");
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
      ++file_.explicit_transaction;
    } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK") {
      file_.explicit_transaction = 0;
    }
  }

  void OnSet(const Json& node) {
    if (AsciiLower(Text(node, "name")) == "lock_timeout") file_.lock_timeout_set = true;
  }

  void OnCreate(const Json& relation) {
    const std::string table = TableOf(relation);
    if (!table.empty()) set_.new_tables.insert(table);
  }

  // "a,b": the columns of a plain index (no expression, no predicate), lower-cased, in order;
  // "" otherwise (an expression or partial index is compared with nothing).
  static std::string IndexedColumns(const Json& node) {
    if (!Field(node, "whereClause").is_null()) return "";
    std::string columns;
    for (const Json& item : Field(node, "indexParams")) {
      const std::string name = Text(Field(item, "IndexElem"), "name");
      if (name.empty()) return "";
      columns += (columns.empty() ? "" : ",") + AsciiLower(name);
    }
    return columns;
  }

  void OnIndex(const Json& node) {
    const std::string table = TableOf(Field(node, "relation"));
    if (Flag(node, "concurrent") || !Existing(table)) return;
    AddSettleable(
        "PG101",
        fmt::format("CREATE {}INDEX {}on {} without CONCURRENTLY blocks writes to {} while it "
                    "builds",
                    Flag(node, "unique") ? "UNIQUE " : "",
                    Text(node, "idxname").empty() ? "" : Text(node, "idxname") + " ", table, table),
        table, IndexedColumns(node));
    NeedLockTimeout(table, "CREATE INDEX");
  }

  void OnAlterTable(const Json& node) {
    const std::string objtype = Text(node, "objtype");
    if (!objtype.empty() && objtype != "OBJECT_TABLE") return;
    const std::string table = TableOf(Field(node, "relation"));
    bool needs_lock = false;
    for (const Json& item : Field(node, "cmds")) {
      const Json& cmd = Field(item, "AlterTableCmd");
      const std::string subtype = Text(cmd, "subtype");
      if (subtype != "AT_ValidateConstraint") needs_lock = true;
      if (subtype == "AT_ValidateConstraint") {
        OnValidate(table, Text(cmd, "name"));
        continue;
      }
      if (subtype == "AT_AddConstraint") {
        OnAddConstraint(table, Field(Field(cmd, "def"), "Constraint"));
        continue;
      }
      if (!Existing(table)) continue;
      if (subtype == "AT_AddColumn") OnAddColumn(table, Field(Field(cmd, "def"), "ColumnDef"));
      if (subtype == "AT_AlterColumnType") {
        OnAlterType(table, Text(cmd, "name"), Field(Field(cmd, "def"), "ColumnDef"));
      }
      if (subtype == "AT_SetNotNull") OnSetNotNull(table, Text(cmd, "name"));
      if (subtype == "AT_DropColumn") {
        Add("PG107",
            fmt::format("DROP COLUMN {}.{}: the running application still reads it", table,
                        Text(cmd, "name")),
            table);
      }
    }
    if (needs_lock) NeedLockTimeout(table, "ALTER TABLE");
  }

  void OnAddColumn(const std::string& table, const Json& column) {
    const std::string name = Text(column, "colname");
    const std::string type = AsciiLower(LastName(Field(Field(column, "typeName"), "names")));
    if (IsSerialType(type)) {
      Add("PG106",
          fmt::format("ADD COLUMN {} {} fills every existing row from a sequence: it rewrites {}",
                      name, type, table),
          table);
      return;
    }
    for (const Json& item : Field(column, "constraints")) {
      const Json& c = Field(item, "Constraint");
      const std::string contype = Text(c, "contype");
      if (contype == "CONSTR_DEFAULT" && VersionBelow(110000)) {
        Add("PG106",
            fmt::format("ADD COLUMN {} with a DEFAULT rewrites {} before PostgreSQL 11", name,
                        table),
            table);
      } else if (contype == "CONSTR_DEFAULT" && HasVolatileCall(Field(c, "raw_expr"))) {
        Add("PG106",
            fmt::format("ADD COLUMN {} with a volatile DEFAULT computes it for every existing "
                        "row: it rewrites {}",
                        name, table),
            table);
      } else if (contype == "CONSTR_GENERATED") {
        Add("PG106",
            fmt::format("ADD COLUMN {} GENERATED ... STORED computes it for every row: it "
                        "rewrites {}",
                        name, table),
            table);
      } else if (contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE") {
        Add("PG117",
            fmt::format("ADD COLUMN {} {} builds its index on {} under an ACCESS EXCLUSIVE lock",
                        name, contype == "CONSTR_PRIMARY" ? "PRIMARY KEY" : "UNIQUE", table),
            table);
      }
    }
  }

  // The cheap changes PostgreSQL does without a rewrite, as far as the statement alone shows:
  // to text or unbounded varchar (binary-compatible from varchar and text). varchar(n) is only
  // cheap when it widens, which the statement does not say.
  void OnAlterType(const std::string& table, const std::string& column, const Json& def) {
    const Json& type_name = Field(def, "typeName");
    const std::string type = AsciiLower(LastName(Field(type_name, "names")));
    const bool has_using = !Field(def, "raw_default").is_null();
    const bool unbounded = !Field(type_name, "typmods").is_array();
    if (!has_using && unbounded && (type == "text" || type == "varchar" || type == "citext")) {
      return;
    }
    std::string why = has_using ? " (USING converts every row)" : "";
    if (!has_using && type == "varchar") why = " unless it only widens the varchar";
    Add("PG105",
        fmt::format("ALTER COLUMN {} TYPE {} rewrites {} and its indexes under an ACCESS "
                    "EXCLUSIVE lock{}",
                    column, TypeText(type_name), table, why),
        table);
  }

  void OnSetNotNull(const std::string& table, const std::string& column) {
    if (VersionBelow(120000)) {
      Add("PG104",
          fmt::format("SET NOT NULL on {}.{} scans the whole table under an ACCESS EXCLUSIVE "
                      "lock (before PostgreSQL 12 not even a CHECK avoids it)",
                      table, column),
          table);
    } else if (set_.validated_tables.count(table) == 0) {
      AddSettleable("PG104",
                    fmt::format("SET NOT NULL on {}.{} scans the whole table under an ACCESS "
                                "EXCLUSIVE lock: no CHECK ({} IS NOT NULL) was validated before it",
                                table, column, column),
                    table, AsciiLower(column));
    }
  }

  void OnAddConstraint(const std::string& table, const Json& c) {
    const std::string contype = Text(c, "contype");
    const std::string name = Text(c, "conname");
    const bool validated = Flag(c, "initially_valid");
    if (contype == "CONSTR_FOREIGN" || contype == "CONSTR_CHECK") {
      if (!validated) {
        file_.not_valid_constraints.insert(AsciiLower(name));
      } else if (Existing(table)) {
        Add("PG102",
            fmt::format("ADD {} {}on {} without NOT VALID checks every row under a lock that "
                        "blocks writes",
                        contype == "CONSTR_FOREIGN" ? "FOREIGN KEY" : "CHECK",
                        name.empty() ? "" : name + " ", table),
            table);
      } else {
        set_.validated_tables.insert(table);
      }
    } else if ((contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE") &&
               Text(c, "indexname").empty() && Existing(table)) {
      Add("PG117",
          fmt::format("ADD {} {}builds its index on {} under an ACCESS EXCLUSIVE lock",
                      contype == "CONSTR_PRIMARY" ? "PRIMARY KEY" : "UNIQUE",
                      name.empty() ? "" : name + " ", table),
          table);
    }
  }

  void OnValidate(const std::string& table, const std::string& name) {
    if (file_.not_valid_constraints.count(AsciiLower(name)) != 0 && Existing(table)) {
      Add("PG103",
          fmt::format("VALIDATE CONSTRAINT {} in the script that added it NOT VALID: the scan "
                      "of {} runs while the ADD's lock is still held",
                      name, table),
          table);
    }
    set_.validated_tables.insert(table);
  }

  void OnRename(const Json& node) {
    const std::string type = Text(node, "renameType");
    const std::string table = TableOf(Field(node, "relation"));
    const std::string new_name = AsciiLower(Text(node, "newname"));
    if (type == "OBJECT_TABLE") {
      if (!Existing(table)) {
        set_.new_tables.insert(new_name);
        return;
      }
      Add("PG108",
          fmt::format("RENAME of table {} to {}: the running application still uses the old name",
                      table, new_name));
    } else if (type == "OBJECT_COLUMN" && Text(node, "relationType") == "OBJECT_TABLE") {
      if (!Existing(table)) return;
      Add("PG108",
          fmt::format("RENAME of column {}.{} to {}: the running application still uses the old "
                      "name",
                      table, Text(node, "subname"), new_name));
    } else {
      return;
    }
    NeedLockTimeout(table, "RENAME");
  }

  void OnDrop(const Json& node) {
    if (Text(node, "removeType") != "OBJECT_TABLE") return;
    for (const Json& object : Field(node, "objects")) {
      const std::string table = AsciiLower(LastName(Field(Field(object, "List"), "items")));
      if (!Existing(table)) continue;
      Add("PG107", fmt::format("DROP TABLE {}: the running application still uses it", table));
      NeedLockTimeout(table, "DROP TABLE");
    }
  }

  void OnTruncate(const Json& node) {
    for (const Json& rel : Field(node, "relations")) {
      const std::string table = TableOf(Field(rel, "RangeVar"));
      if (!Existing(table)) continue;
      Add("PG114", fmt::format("TRUNCATE {} removes every row", table));
      NeedLockTimeout(table, "TRUNCATE");
    }
  }

  void OnVacuum(const Json& node) {
    if (!Flag(node, "is_vacuumcmd")) return;
    bool full = false;
    for (const Json& option : Field(node, "options")) {
      if (AsciiLower(Text(Field(option, "DefElem"), "defname")) == "full") full = true;
    }
    if (!full) return;
    const Json& rels = Field(node, "rels");
    if (!rels.is_array() || rels.empty()) {
      Add("PG111", "VACUUM FULL of every table rewrites each under an ACCESS EXCLUSIVE lock");
      return;
    }
    for (const Json& rel : rels) {
      const std::string table = TableOf(Field(Field(rel, "VacuumRelation"), "relation"));
      if (!Existing(table)) continue;
      Add("PG111", fmt::format("VACUUM FULL {} rewrites it under an ACCESS EXCLUSIVE lock", table),
          table);
    }
  }

  void OnCluster(const Json& node) {
    const std::string table = TableOf(Field(node, "relation"));
    if (table.empty()) {
      Add("PG112", "CLUSTER of every clustered table rewrites each under an ACCESS EXCLUSIVE lock");
    } else if (Existing(table)) {
      Add("PG112", fmt::format("CLUSTER {} rewrites it under an ACCESS EXCLUSIVE lock", table),
          table);
    }
  }

  void OnReindex(const Json& node) {
    for (const Json& param : Field(node, "params")) {
      if (AsciiLower(Text(Field(param, "DefElem"), "defname")) == "concurrently") return;
    }
    const std::string kind = Text(node, "kind");
    const std::string name = TableOf(Field(node, "relation"));
    const bool on_table = kind == "REINDEX_OBJECT_TABLE";
    if (on_table && !Existing(name)) return;
    if (VersionBelow(120000)) return;  // no REINDEX CONCURRENTLY to suggest before 12
    Add("PG113",
        fmt::format("REINDEX {}{} without CONCURRENTLY blocks writes while it rebuilds",
                    on_table ? "TABLE " : (kind == "REINDEX_OBJECT_INDEX" ? "INDEX " : ""),
                    name.empty() ? Text(node, "name") : name),
        on_table ? name : "");
  }

  void OnUpdateOrDelete(const Json& node, std::string_view verb) {
    const std::string table = TableOf(Field(node, "relation"));
    if (!Existing(table)) return;
    if (Field(node, "whereClause").is_null()) {
      Add("PG115",
          fmt::format("{} of {} without WHERE touches every row in one transaction; "
                      "use a backfill job step",
                      verb, table),
          table);
    } else if (verb == "UPDATE") {
      Add("PG116",
          fmt::format("UPDATE of {} inside a migration holds its row locks until the "
                      "migration commits; for many rows use a backfill job step",
                      table),
          table);
    }
  }

  const StatementInput& in_;
  FileState& file_;
  SetState& set_;
  std::vector<Candidate>& out_;
};

}  // namespace

void CheckPostgres(const StatementInput& in, FileState& file, SetState& set,
                   std::vector<Candidate>& out) {
  const std::string sql(in.statement.text);
  const ParseResult parsed(sql);
  if (parsed.get().error != nullptr) {
    const int cursor = parsed.get().error->cursorpos;
    out.push_back(Candidate{"PG100", fmt::format("not checked: {}", parsed.get().error->message),
                            "", cursor > 0 ? static_cast<std::size_t>(cursor - 1) : 0, false, ""});
    return;
  }
  const Json tree = Json::parse(parsed.get().parse_tree, nullptr, /*allow_exceptions=*/false);
  PostgresChecker checker(in, file, set, out);
  for (const Json& item : Field(tree, "stmts")) {
    const Json& stmt = Field(item, "stmt");
    if (!stmt.is_object() || stmt.empty()) continue;
    checker.Check(stmt.begin().key(), stmt.begin().value());
  }
}

}  // namespace strata::lint::internal
