// SQLite: sqlite_schema joined with the table-valued pragmas (table_xinfo, index_list,
// index_xinfo, foreign_key_list) in one query each, plus what only the CREATE text says
// (sqlite_ddl.h). Internal objects (sqlite_sequence, sqlite_stat1, autoindex names) are left
// out; automatic indexes of UNIQUE constraints appear as the constraint, without their
// generated name.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "base/strings.h"
#include "db/dialect.h"
#include "db/flavor/flavor.h"
#include "schema/introspect.h"
#include "schema/sqlite_ddl.h"

namespace strata::schema::internal {
namespace {

constexpr const char* kNotInternal = "m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

struct SchemaReader {
  db::Connection& conn;
  const std::vector<std::string>& schemas;
  const std::vector<std::string>& excluded;
  const std::string& schema;
  std::string catalog;  // "main".sqlite_schema
  ObjectSet& objects;
  std::unordered_map<std::string, SchemaObject*> relations;  // by table/view name
  std::unordered_map<std::string, SqliteTableDdl> tables;    // parsed CREATE TABLE
  std::unordered_map<std::string, std::string> index_sql;    // CREATE INDEX text by name
  std::unordered_map<std::string, std::vector<std::string>> primary_keys;  // pk columns

  std::string Name(const std::string& name) const { return DisplayName(schemas, schema, name); }
  SchemaObject* Relation(const db::Cell& name) {
    auto it = relations.find(Text(name));
    return it == relations.end() ? nullptr : it->second;
  }
};

Status ReadCatalog(SchemaReader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format("SELECT m.type, m.name, m.tbl_name, m.sql FROM {} m WHERE {}",
                               r.catalog, kNotInternal)));
  std::vector<std::pair<std::string, std::string>> triggers;  // (table, part)
  for (const auto& row : rows.rows) {
    const std::string type = Text(row[0]);
    const std::string name = Text(row[1]);
    const std::string sql = Text(row[3]);
    if (type == "table") {
      if (Contains(r.excluded, name)) continue;
      SchemaObject& o = r.objects.Get("table", r.Name(name));
      r.relations[name] = &o;
      if (sql.rfind("CREATE VIRTUAL TABLE", 0) == 0) {
        o.parts.push_back("using " + SqliteVirtualTableModule(sql));
        continue;
      }
      SqliteTableDdl ddl = ParseSqliteCreateTable(sql);
      for (const std::string& check : ddl.checks) o.parts.push_back("check " + check);
      if (!ddl.options.empty()) o.parts.push_back("options " + ddl.options);
      r.tables.emplace(name, std::move(ddl));
    } else if (type == "view") {
      SchemaObject& o = r.objects.Get("view", r.Name(name));
      r.relations[name] = &o;
      o.parts.push_back("definition " + SqliteViewQuery(sql));
    } else if (type == "index") {
      if (row[3]) r.index_sql[name] = sql;
    } else if (type == "trigger") {
      triggers.emplace_back(Text(row[2]), fmt::format("trigger {} {}", name,
                                                      NormaliseSql(sql, db::Dialect::kSqlite)));
    }
  }
  for (auto& [table, part] : triggers) {
    auto it = r.relations.find(table);
    if (it != r.relations.end()) it->second->parts.push_back(std::move(part));
  }
  return Ok();
}

Status ReadColumns(SchemaReader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format("SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, "
                               "p.hidden FROM {} m, pragma_table_xinfo(m.name, ?1) p "
                               "WHERE m.type IN ('table', 'view') AND {} ORDER BY m.name, p.cid",
                               r.catalog, kNotInternal),
                   {r.schema}));
  std::unordered_map<std::string, std::vector<std::pair<int, std::string>>> pk;
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.Relation(row[0]);
    if (o == nullptr) continue;
    const std::string hidden = Text(row[6]);
    if (hidden == "1") continue;  // a virtual table's hidden column
    const std::string column = Text(row[1]);
    std::string line = "column " + column;
    if (!Text(row[2]).empty()) line += " " + Text(row[2]);
    const SqliteColumnDdl* ddl = nullptr;
    if (auto t = r.tables.find(Text(row[0])); t != r.tables.end()) {
      auto c = t->second.columns.find(AsciiLower(column));
      if (c != t->second.columns.end()) ddl = &c->second;
    }
    if (ddl != nullptr && !ddl->collation.empty()) line += " collate " + ddl->collation;
    if (Text(row[3]) == "1") line += " not null";
    if (row[4]) line += " default " + *row[4];
    if (hidden == "2" || hidden == "3") {
      line += fmt::format(" generated always as ({}) {}", ddl != nullptr ? ddl->generated : "?",
                          hidden == "3" ? "stored" : "virtual");
    }
    if (ddl != nullptr && ddl->autoincrement) line += " autoincrement";
    if (ddl != nullptr) {
      for (const std::string& check : ddl->checks) o->parts.push_back("check " + check);
    }
    o->fixed.push_back(std::move(line));
    const int pk_position = std::atoi(Text(row[5]).c_str());
    if (pk_position > 0 && o->kind == "table") pk[Text(row[0])].emplace_back(pk_position, column);
  }
  for (auto& [table, columns] : pk) {
    std::sort(columns.begin(), columns.end());
    std::vector<std::string> names;
    names.reserve(columns.size());
    for (auto& [position, name] : columns) names.push_back(std::move(name));
    r.relations[table]->parts.push_back(fmt::format("primary key ({})", fmt::join(names, ", ")));
  }
  return Ok();
}

Status ReadIndexes(SchemaReader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format("SELECT m.name, il.name, il.\"unique\", il.origin, ix.cid, ix.name, "
                               "ix.\"desc\", ix.coll "
                               "FROM {} m, pragma_index_list(m.name, ?1) il, "
                               "pragma_index_xinfo(il.name, ?1) ix "
                               "WHERE m.type = 'table' AND {} AND ix.key = 1 "
                               "ORDER BY m.name, il.name, ix.seqno",
                               r.catalog, kNotInternal),
                   {r.schema}));
  struct Index {
    SchemaObject* table = nullptr;
    std::string name, origin;
    bool unique = false;
    std::vector<std::string> columns;
  };
  std::vector<Index> indexes;
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.Relation(row[0]);
    if (o == nullptr) continue;
    if (indexes.empty() || indexes.back().table != o || indexes.back().name != Text(row[1])) {
      indexes.push_back({o, Text(row[1]), Text(row[3]), Text(row[2]) == "1", {}});
    }
    Index& index = indexes.back();
    std::string column;
    if (Text(row[4]) == "-2") {  // an expression: only the CREATE INDEX text has it
      const SqliteIndexDdl ddl = ParseSqliteCreateIndex(r.index_sql[index.name]);
      const std::size_t position = index.columns.size();
      column = position < ddl.items.size() ? ddl.items[position] : "?";
    } else {
      column = Text(row[5]);
      if (Text(row[7]) != "BINARY") column += " collate " + Text(row[7]);
      if (Text(row[6]) == "1") column += " desc";
    }
    index.columns.push_back(std::move(column));
  }
  for (const Index& i : indexes) {
    const std::string columns = fmt::format("({})", fmt::join(i.columns, ", "));
    if (i.origin == "pk") continue;  // shown as the table's primary key
    if (i.origin == "u") {
      i.table->parts.push_back("unique " + columns);
      continue;
    }
    std::string line = fmt::format("index {} {}{}", i.name, i.unique ? "unique " : "", columns);
    const SqliteIndexDdl ddl = ParseSqliteCreateIndex(r.index_sql[i.name]);
    if (!ddl.where.empty()) line += " where " + ddl.where;
    i.table->parts.push_back(std::move(line));
  }
  return Ok();
}

Status ReadForeignKeys(SchemaReader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format("SELECT m.name, fk.id, fk.\"table\", fk.\"from\", fk.\"to\", "
                               "fk.on_update, fk.on_delete, fk.\"match\" "
                               "FROM {} m, pragma_foreign_key_list(m.name, ?1) fk "
                               "WHERE m.type = 'table' AND {} ORDER BY m.name, fk.id, fk.seq",
                               r.catalog, kNotInternal),
                   {r.schema}));
  struct ForeignKey {
    SchemaObject* table = nullptr;
    std::string id, referenced, rules;
    std::vector<std::string> columns, referenced_columns;
  };
  std::vector<ForeignKey> keys;
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.Relation(row[0]);
    if (o == nullptr) continue;
    if (keys.empty() || keys.back().table != o || keys.back().id != Text(row[1])) {
      std::string rules = fmt::format("on update {} on delete {}", Text(row[5]), Text(row[6]));
      if (Text(row[7]) != "NONE") rules += " match " + Text(row[7]);
      keys.push_back({o, Text(row[1]), Text(row[2]), std::move(rules), {}, {}});
    }
    keys.back().columns.push_back(Text(row[3]));
    if (row[4]) keys.back().referenced_columns.push_back(*row[4]);
  }
  for (const ForeignKey& k : keys) {
    const std::string referenced_columns =
        k.referenced_columns.empty() ? ""
                                     : fmt::format(" ({})", fmt::join(k.referenced_columns, ", "));
    k.table->parts.push_back(fmt::format("foreign key ({}) references {}{} {}",
                                         fmt::join(k.columns, ", "), k.referenced,
                                         referenced_columns, k.rules));
  }
  return Ok();
}

Status CheckSchemasExist(db::Connection& conn, const std::vector<std::string>& schemas) {
  STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn.Query("SELECT name FROM pragma_database_list"));
  std::set<std::string> found;
  for (const auto& row : rows.rows) found.insert(Text(row[0]));
  for (const std::string& s : schemas) {
    if (found.count(s) == 0) {
      return Err(ErrorCode::kNotFound,
                 fmt::format("{}: no attached database '{}': SQLite schemas are 'main' and the "
                             "names of attached databases",
                             conn.display_url(), s));
    }
  }
  return Ok();
}

}  // namespace

Result<Snapshot> ReadSqlite(db::Connection& conn, const std::vector<std::string>& schemas,
                            const std::vector<std::string>& excluded_tables) {
  db::TxOptions tx_options;
  tx_options.read_only = true;
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, tx_options));
  STRATA_TRY(CheckSchemasExist(conn, schemas));
  ObjectSet objects;
  for (const std::string& schema : schemas) {
    SchemaReader r{conn,
                   schemas,
                   excluded_tables,
                   schema,
                   fmt::format("{}.sqlite_schema", db::FlavorOf(conn).Quote(schema)),
                   objects,
                   {},
                   {},
                   {},
                   {}};
    STRATA_TRY(ReadCatalog(r));
    STRATA_TRY(ReadColumns(r));
    STRATA_TRY(ReadIndexes(r));
    STRATA_TRY(ReadForeignKeys(r));
  }
  STRATA_TRY(tx.Rollback());
  return objects.ToSnapshot(conn, schemas);
}

}  // namespace strata::schema::internal
