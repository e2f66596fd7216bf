// MariaDB: information_schema read with one query per kind of object.
//
// A MariaDB "schema" is a database. Its name appears inside view definitions
// (`db`.`table`); with one schema dumped it is removed there, so that databases of different
// names with the same tables give the same snapshot. Definers, sql_mode at creation, event
// start times and auto-increment counters depend on who created what when: they are left out.
#include <fmt/format.h>

#include <map>
#include <set>

#include "base/strings.h"
#include "db/dialect.h"
#include "db/flavor/flavor.h"
#include "schema/introspect.h"

namespace strata::schema::internal {
namespace {

struct Reader {
  db::Connection& conn;
  const std::vector<std::string>& schemas;
  const std::vector<std::string>& excluded;
  std::string in_schemas;  // "?, ?": one placeholder per schema
  db::Params params;       // the schemas, for in_schemas
  std::map<std::pair<std::string, std::string>, std::string> table_collation;
  ObjectSet objects;

  std::string Name(const db::Cell& schema, const db::Cell& name) const {
    return DisplayName(schemas, Text(schema), Text(name));
  }
  // The table or view block for (schema, name), or nullptr when excluded or unknown.
  SchemaObject* Relation(const db::Cell& schema, const db::Cell& name) {
    if (Contains(excluded, Text(name))) return nullptr;
    if (SchemaObject* o = objects.Find("table", Name(schema, name))) return o;
    return objects.Find("view", Name(schema, name));
  }
  Result<db::Rows> Query(const std::string& sql_with_schemas) {
    return conn.Query(fmt::format(fmt::runtime(sql_with_schemas), in_schemas), params);
  }
};

// Removes "`db`." qualifiers of the dumped database from a view definition.
std::string Unqualify(std::string text, const db::Flavor& flavor,
                      const std::vector<std::string>& schemas) {
  if (schemas.size() != 1) return text;
  const std::string qualifier = flavor.Quote(schemas[0]) + ".";
  std::size_t at = 0;
  while ((at = text.find(qualifier, at)) != std::string::npos) text.erase(at, qualifier.size());
  return text;
}

Status CheckSchemasExist(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(db::Rows rows,
                          r.Query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
                                  "WHERE SCHEMA_NAME IN ({})"));
  std::set<std::string> found;
  for (const auto& row : rows.rows) found.insert(Text(row[0]));
  for (const std::string& s : r.schemas) {
    if (found.count(s) == 0) {
      return Err(ErrorCode::kNotFound,
                 fmt::format("{}: database '{}' does not exist: check the schemas setting",
                             r.conn.display_url(), s));
    }
  }
  return Ok();
}

Status ReadTables(Reader& r, std::vector<std::pair<std::string, std::string>>& sequences) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows, r.Query("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION "
                             "FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ({})"));
  for (const auto& row : rows.rows) {
    if (Contains(r.excluded, Text(row[1]))) continue;
    const std::string type = Text(row[2]);
    if (type == "VIEW") {
      r.objects.Get("view", r.Name(row[0], row[1]));
    } else if (type == "SEQUENCE") {
      sequences.emplace_back(Text(row[0]), Text(row[1]));
    } else {
      SchemaObject& o = r.objects.Get("table", r.Name(row[0], row[1]));
      o.parts.push_back(
          fmt::format("engine {} collate {}", AsciiLower(Text(row[3])), Text(row[4])));
      if (type == "SYSTEM VERSIONED") o.parts.emplace_back("system versioned");
      r.table_collation[{Text(row[0]), Text(row[1])}] = Text(row[4]);
    }
  }
  return Ok();
}

Status ReadColumns(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.Query("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, "
              "COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLLATION_NAME "
              "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ({}) "
              "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"));
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.Relation(row[0], row[1]);
    if (o == nullptr) continue;
    std::string line = fmt::format("column {} {}", Text(row[2]), Text(row[3]));
    auto table = r.table_collation.find({Text(row[0]), Text(row[1])});
    if (row[8] && table != r.table_collation.end() && *row[8] != table->second) {
      line += " collate " + *row[8];
    }
    if (Text(row[4]) == "NO") line += " not null";
    if (row[5]) line += " default " + *row[5];
    const std::string extra = AsciiLower(Text(row[6]));
    if (row[7] && !row[7]->empty()) {
      line += fmt::format(" generated always as ({}) {}", *row[7],
                          extra.find("stored") != std::string::npos ? "stored" : "virtual");
    } else if (!extra.empty()) {
      line += " " + extra;
    }
    o->fixed.push_back(std::move(line));
  }
  return Ok();
}

Status ReadIndexes(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.Query("SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, "
              "COLLATION, INDEX_TYPE FROM information_schema.STATISTICS "
              "WHERE TABLE_SCHEMA IN ({}) "
              "ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"));
  struct Index {
    SchemaObject* table = nullptr;
    std::string name, type;
    bool unique = false;
    std::vector<std::string> columns;
  };
  std::vector<Index> indexes;
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.Relation(row[0], row[1]);
    if (o == nullptr) continue;
    if (indexes.empty() || indexes.back().table != o || indexes.back().name != Text(row[2])) {
      indexes.push_back({o, Text(row[2]), AsciiLower(Text(row[7])), Text(row[3]) == "0", {}});
    }
    std::string column = Text(row[4]);
    if (row[5]) column += "(" + *row[5] + ")";
    if (Text(row[6]) == "D") column += " desc";
    indexes.back().columns.push_back(std::move(column));
  }
  for (const Index& i : indexes) {
    const std::string columns = fmt::format("({})", fmt::join(i.columns, ", "));
    if (i.name == "PRIMARY") {
      i.table->parts.push_back("primary key " + columns);
    } else {
      i.table->parts.push_back(
          fmt::format("index {} {}{} {}", i.name, i.unique ? "unique " : "", i.type, columns));
    }
  }
  return Ok();
}

Status ReadForeignKeys(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.Query("SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, "
              "k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
              "rc.UPDATE_RULE, rc.DELETE_RULE "
              "FROM information_schema.KEY_COLUMN_USAGE k "
              "JOIN information_schema.REFERENTIAL_CONSTRAINTS rc "
              "ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA "
              "AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND rc.TABLE_NAME = k.TABLE_NAME "
              "WHERE k.TABLE_SCHEMA IN ({}) AND k.REFERENCED_TABLE_NAME IS NOT NULL "
              "ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION"));
  struct ForeignKey {
    SchemaObject* table = nullptr;
    std::string name, referenced, rules;
    std::vector<std::string> columns, referenced_columns;
  };
  std::vector<ForeignKey> keys;
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.Relation(row[0], row[1]);
    if (o == nullptr) continue;
    if (keys.empty() || keys.back().table != o || keys.back().name != Text(row[2])) {
      const bool local = Contains(r.schemas, Text(row[4]));
      keys.push_back({o,
                      Text(row[2]),
                      local ? r.Name(row[4], row[5]) : Text(row[4]) + "." + Text(row[5]),
                      fmt::format("on update {} on delete {}", Text(row[7]), Text(row[8])),
                      {},
                      {}});
    }
    keys.back().columns.push_back(Text(row[3]));
    keys.back().referenced_columns.push_back(Text(row[6]));
  }
  for (const ForeignKey& k : keys) {
    k.table->parts.push_back(fmt::format("foreign key {} ({}) references {} ({}) {}", k.name,
                                         fmt::join(k.columns, ", "), k.referenced,
                                         fmt::join(k.referenced_columns, ", "), k.rules));
  }
  return Ok();
}

Status ReadChecks(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows, r.Query("SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE "
                             "FROM information_schema.CHECK_CONSTRAINTS "
                             "WHERE CONSTRAINT_SCHEMA IN ({})"));
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.Relation(row[0], row[1]);
    if (o == nullptr) continue;
    o->parts.push_back(fmt::format("check {} ({})", Text(row[2]), Text(row[3])));
  }
  return Ok();
}

Status ReadViews(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.Query("SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, "
              "ALGORITHM FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN ({})"));
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.objects.Find("view", r.Name(row[0], row[1]));
    if (o == nullptr) continue;
    o->parts.push_back(fmt::format("algorithm {} security {} check option {}",
                                   AsciiLower(Text(row[5])), AsciiLower(Text(row[4])),
                                   AsciiLower(Text(row[3]))));
    o->parts.push_back("definition " +
                       NormaliseSql(Unqualify(Text(row[2]), db::FlavorOf(r.conn), r.schemas),
                                    db::Dialect::kMariaDb));
  }
  return Ok();
}

Status ReadRoutines(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows params,
      r.Query("SELECT SPECIFIC_SCHEMA, SPECIFIC_NAME, ROUTINE_TYPE, PARAMETER_MODE, "
              "PARAMETER_NAME, DTD_IDENTIFIER FROM information_schema.PARAMETERS "
              "WHERE SPECIFIC_SCHEMA IN ({}) AND ORDINAL_POSITION > 0 "
              "ORDER BY SPECIFIC_SCHEMA, SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION"));
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::string>> arguments;
  for (const auto& row : params.rows) {
    std::string argument = row[3] ? *row[3] + " " : std::string();
    argument += Text(row[4]);
    argument += " ";
    argument += Text(row[5]);
    arguments[{Text(row[0]), Text(row[1]), Text(row[2])}].push_back(std::move(argument));
  }
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows, r.Query("SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, "
                             "ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE "
                             "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN ({})"));
  for (const auto& row : rows.rows) {
    const std::string type = Text(row[2]);
    SchemaObject& o = r.objects.Get(AsciiLower(type), r.Name(row[0], row[1]));
    o.fixed.push_back(fmt::format("arguments ({})",
                                  fmt::join(arguments[{Text(row[0]), Text(row[1]), type}], ", ")));
    if (row[3]) o.fixed.push_back("returns " + *row[3]);
    o.fixed.push_back(fmt::format("{}deterministic {} security {}",
                                  Text(row[5]) == "YES" ? "" : "not ", AsciiLower(Text(row[6])),
                                  AsciiLower(Text(row[7]))));
    o.fixed.push_back("body sha256:" + Sha256Hex(Text(row[4])));
  }
  return Ok();
}

Status ReadTriggers(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.Query("SELECT EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, "
              "EVENT_MANIPULATION, ACTION_ORIENTATION, ACTION_STATEMENT "
              "FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA IN ({})"));
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.Relation(row[0], row[1]);
    if (o == nullptr) continue;
    o->parts.push_back(fmt::format("trigger {} {} {} for each {} body sha256:{}", Text(row[2]),
                                   Text(row[3]), Text(row[4]), AsciiLower(Text(row[5])),
                                   Sha256Hex(Text(row[6]))));
  }
  return Ok();
}

Status ReadEvents(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.Query("SELECT EVENT_SCHEMA, EVENT_NAME, EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, "
              "INTERVAL_FIELD, ENDS, STATUS, ON_COMPLETION, EVENT_DEFINITION "
              "FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN ({})"));
  for (const auto& row : rows.rows) {
    SchemaObject& o = r.objects.Get("event", r.Name(row[0], row[1]));
    if (Text(row[2]) == "ONE TIME") {
      o.fixed.push_back("at " + Text(row[3]));
    } else {
      o.fixed.push_back(fmt::format("every {} {}", Text(row[4]), AsciiLower(Text(row[5]))));
    }
    if (row[6]) o.fixed.push_back("ends " + *row[6]);
    o.fixed.push_back(
        fmt::format("{} on completion {}", AsciiLower(Text(row[7])), AsciiLower(Text(row[8]))));
    o.fixed.push_back("body sha256:" + Sha256Hex(Text(row[9])));
  }
  return Ok();
}

// MariaDB has no catalog view of sequence options (information_schema.SEQUENCES arrived in
// 11.5): each sequence is read as the one-row table it is. Sequences are few.
Status ReadSequences(Reader& r, const std::vector<std::pair<std::string, std::string>>& sequences) {
  for (const auto& [schema, name] : sequences) {
    STRATA_ASSIGN_OR_RETURN(
        db::Rows rows,
        r.conn.Query(
            fmt::format("SELECT start_value, increment, minimum_value, maximum_value, cache_size, "
                        "cycle_option FROM {}.{}",
                        db::FlavorOf(r.conn).Quote(schema), db::FlavorOf(r.conn).Quote(name))));
    if (rows.empty()) continue;
    const auto& row = rows.rows[0];
    SchemaObject& o = r.objects.Get("sequence", DisplayName(r.schemas, schema, name));
    o.fixed.push_back(fmt::format("start {} increment {} minvalue {} maxvalue {} cache {}{}",
                                  Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3]),
                                  Text(row[4]), Text(row[5]) == "1" ? " cycle" : ""));
  }
  return Ok();
}

}  // namespace

Result<Snapshot> ReadMariaDb(db::Connection& conn, const std::vector<std::string>& schemas,
                             const std::vector<std::string>& excluded_tables) {
  Reader r{conn, schemas, excluded_tables, {}, {}, {}, {}};
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    r.in_schemas += i == 0 ? "?" : ", ?";
    r.params.emplace_back(schemas[i]);
  }
  db::TxOptions tx_options;
  tx_options.read_only = true;
  tx_options.isolation = db::Isolation::kRepeatableRead;
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, tx_options));
  STRATA_TRY(CheckSchemasExist(r));
  std::vector<std::pair<std::string, std::string>> sequences;
  STRATA_TRY(ReadTables(r, sequences));
  STRATA_TRY(ReadColumns(r));
  STRATA_TRY(ReadIndexes(r));
  STRATA_TRY(ReadForeignKeys(r));
  STRATA_TRY(ReadChecks(r));
  STRATA_TRY(ReadViews(r));
  STRATA_TRY(ReadRoutines(r));
  STRATA_TRY(ReadTriggers(r));
  STRATA_TRY(ReadEvents(r));
  STRATA_TRY(ReadSequences(r, sequences));
  STRATA_TRY(tx.Rollback());
  return r.objects.ToSnapshot(conn, schemas);
}

}  // namespace strata::schema::internal
