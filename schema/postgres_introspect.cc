// PostgreSQL: pg_catalog read with one query per kind of object, joined in memory by OID.
//
// The queries run in one REPEATABLE READ READ ONLY transaction whose search_path is the dumped
// schemas, so that the server's own deparsers (pg_get_viewdef, pg_get_constraintdef,
// pg_get_indexdef, format_type, regclass output) leave names in those schemas unqualified and
// the text does not depend on what the schema is called. Objects that belong to an extension
// are left out: the extension is listed instead.
#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "db/dialect.h"
#include "db/flavor/flavor.h"
#include "schema/introspect.h"

namespace strata::schema::internal {
namespace {

struct Relation {
  std::string kind;  // kind of its block: "table", "view", ...
  std::string name;  // display name
};

struct Reader {
  db::Connection& conn;
  const std::vector<std::string>& schemas;
  const std::vector<std::string>& excluded;
  std::string namespaces;  // "2200, 16385": OIDs of the dumped schemas, for IN (...)
  std::unordered_map<std::string, Relation> relations;  // by pg_class OID text
  ObjectSet objects;

  SchemaObject* RelationObject(const db::Cell& oid) {
    auto it = relations.find(Text(oid));
    if (it == relations.end()) return nullptr;  // an excluded table
    return objects.Find(it->second.kind, it->second.name);
  }
  std::string Name(const db::Cell& schema, const db::Cell& name) const {
    return DisplayName(schemas, Text(schema), Text(name));
  }
};

// Where the extension-membership test for a pg_class row goes.
constexpr const char* kNotExtensionRelation =
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
    "AND d.objid = c.oid AND d.deptype = 'e')";

Status ResolveNamespaces(Reader& r) {
  std::string placeholders;
  db::Params params;
  for (std::size_t i = 0; i < r.schemas.size(); ++i) {
    if (i > 0) placeholders += ", ";
    placeholders += db::FlavorOf(r.conn).Param(static_cast<int>(i) + 1);
    params.emplace_back(r.schemas[i]);
  }
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format("SELECT nspname, oid::text FROM pg_namespace WHERE nspname IN ({})",
                               placeholders),
                   params));
  std::set<std::string> found;
  for (const auto& row : rows.rows) {
    found.insert(Text(row[0]));
    if (!r.namespaces.empty()) r.namespaces += ", ";
    r.namespaces += Text(row[1]);  // digits from the server
  }
  for (const std::string& s : r.schemas) {
    if (found.count(s) == 0) {
      return Err(ErrorCode::kNotFound,
                 fmt::format("{}: schema '{}' does not exist: check the schemas setting",
                             r.conn.display_url(), s));
    }
  }
  std::string search_path;
  for (const std::string& s : r.schemas) {
    if (!search_path.empty()) search_path += ", ";
    search_path += db::FlavorOf(r.conn).Quote(s);
  }
  STRATA_TRY(r.conn.Query("SELECT set_config('search_path', $1, true)", {search_path}));
  return Ok();
}

Status ReadRelations(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format(
          "SELECT c.oid::text, n.nspname, c.relname, c.relkind::text, c.relpersistence::text, "
          "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
          "CASE WHEN c.relispartition THEN (SELECT i.inhparent::regclass::text FROM "
          "pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) || ' ' || "
          "pg_get_expr(c.relpartbound, c.oid) END, "
          "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END, "
          "array_to_string(c.reloptions, ', ') "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relnamespace IN ({}) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND {}",
          r.namespaces, kNotExtensionRelation)));
  for (const auto& row : rows.rows) {
    const std::string relname = Text(row[2]);
    const std::string relkind = Text(row[3]);
    if ((relkind == "r" || relkind == "p") && Contains(r.excluded, relname)) continue;
    std::string kind = "table";
    if (relkind == "v") kind = "view";
    if (relkind == "m") kind = "materialized view";
    if (relkind == "f") kind = "foreign table";
    if (relkind == "c") kind = "type";
    Relation rel{kind, r.Name(row[1], row[2])};
    SchemaObject& o = r.objects.Get(rel.kind, rel.name);
    if (Text(row[4]) == "u") o.parts.emplace_back("unlogged");
    if (row[5]) o.parts.push_back("partition by " + *row[5]);
    if (row[6]) o.parts.push_back("partition of " + *row[6]);
    if (row[8] && !row[8]->empty()) o.parts.push_back("with (" + *row[8] + ")");
    if (row[7]) o.parts.push_back("definition " + NormaliseSql(*row[7]));
    r.relations.emplace(Text(row[0]), std::move(rel));
  }
  return Ok();
}

Status ReadColumns(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format(
          "SELECT a.attrelid::text, a.attname, format_type(a.atttypid, a.atttypmod), "
          "a.attnotnull, a.attidentity::text, a.attgenerated::text, "
          "pg_get_expr(ad.adbin, ad.adrelid), "
          "CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(co.collname) END "
          "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
          "JOIN pg_type t ON t.oid = a.atttypid "
          "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
          "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
          "WHERE c.relnamespace IN ({}) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') "
          "AND a.attnum > 0 AND NOT a.attisdropped "
          "ORDER BY a.attrelid, a.attnum",
          r.namespaces)));
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.RelationObject(row[0]);
    if (o == nullptr) continue;
    std::string line = fmt::format("column {} {}", Text(row[1]), Text(row[2]));
    if (row[7]) line += " collate " + *row[7];
    if (Text(row[3]) == "t") line += " not null";
    const std::string generated = Text(row[5]);
    if (row[6]) {
      line += generated == "s" ? fmt::format(" generated always as ({}) stored", *row[6])
                               : " default " + *row[6];
    }
    const std::string identity = Text(row[4]);
    if (identity == "a") line += " generated always as identity";
    if (identity == "d") line += " generated by default as identity";
    o->fixed.push_back(std::move(line));
  }
  return Ok();
}

// "FOREIGN KEY (a) REFERENCES t(b)" -> "(a) REFERENCES t(b)": the kind is already said.
std::string WithoutPrefix(const std::string& def, std::string_view prefix) {
  return def.rfind(prefix, 0) == 0 ? def.substr(prefix.size()) : def;
}

Status ReadConstraints(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(
          fmt::format("SELECT con.conrelid::text, con.conname, con.contype::text, "
                      "pg_get_constraintdef(con.oid, true) "
                      "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
                      "WHERE c.relnamespace IN ({}) AND con.contype IN ('p', 'u', 'f', 'c', 'x')",
                      r.namespaces)));
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.RelationObject(row[0]);
    if (o == nullptr) continue;
    const std::string type = Text(row[2]);
    const std::string def = Text(row[3]);
    const std::string name = Text(row[1]);
    if (type == "p") {
      o->parts.push_back(
          fmt::format("primary key {} {}", name, WithoutPrefix(def, "PRIMARY KEY ")));
    } else if (type == "u") {
      o->parts.push_back(fmt::format("unique {} {}", name, WithoutPrefix(def, "UNIQUE ")));
    } else if (type == "f") {
      o->parts.push_back(
          fmt::format("foreign key {} {}", name, WithoutPrefix(def, "FOREIGN KEY ")));
    } else if (type == "c") {
      o->parts.push_back(fmt::format("check {} {}", name, WithoutPrefix(def, "CHECK ")));
    } else {
      o->parts.push_back(fmt::format("exclude {} {}", name, WithoutPrefix(def, "EXCLUDE ")));
    }
  }
  return Ok();
}

Status ReadIndexes(Reader& r) {
  // Indexes that implement a primary key, unique or exclusion constraint are shown as that
  // constraint.
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format(
          "SELECT i.indrelid::text, ic.relname, i.indisunique, i.indisvalid, "
          "pg_get_indexdef(i.indexrelid) "
          "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
          "JOIN pg_class c ON c.oid = i.indrelid "
          "WHERE c.relnamespace IN ({}) AND NOT EXISTS (SELECT 1 FROM pg_constraint con "
          "WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid "
          "AND con.contype IN ('p', 'u', 'x'))",
          r.namespaces)));
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.RelationObject(row[0]);
    if (o == nullptr) continue;
    const std::string def = Text(row[4]);
    const std::size_t using_at = def.find(" USING ");
    const std::string method = using_at == std::string::npos ? def : def.substr(using_at + 7);
    std::string line =
        fmt::format("index {} {}{}", Text(row[1]), Text(row[2]) == "t" ? "unique " : "", method);
    if (Text(row[3]) != "t") line += " (invalid)";
    o->parts.push_back(std::move(line));
  }
  return Ok();
}

Status ReadTriggers(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(
          fmt::format("SELECT t.tgrelid::text, t.tgname, quote_ident(t.tgname), t.tgenabled::text, "
                      "pg_get_triggerdef(t.oid, true) "
                      "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                      "WHERE c.relnamespace IN ({}) AND NOT t.tgisinternal",
                      r.namespaces)));
  for (const auto& row : rows.rows) {
    SchemaObject* o = r.RelationObject(row[0]);
    if (o == nullptr) continue;
    std::string def = Text(row[4]);
    def = WithoutPrefix(def, "CREATE TRIGGER " + Text(row[2]) + " ");
    def = WithoutPrefix(def, "CREATE CONSTRAINT TRIGGER " + Text(row[2]) + " ");
    std::string line = fmt::format("trigger {} {}", Text(row[1]), def);
    const std::string enabled = Text(row[3]);
    if (enabled == "D") line += " (disabled)";
    if (enabled == "R") line += " (enabled replica)";
    if (enabled == "A") line += " (enabled always)";
    o->parts.push_back(std::move(line));
  }
  return Ok();
}

Status ReadSequences(Reader& r) {
  // Identity columns' sequences are part of their column; sequences owned by an excluded table
  // go with it.
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format(
          "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart::text, "
          "s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle, "
          "oc.relname, quote_ident(oc.relname) || '.' || quote_ident(oa.attname) "
          "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
          "JOIN pg_namespace n ON n.oid = c.relnamespace "
          "LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid "
          "AND d.deptype = 'a' AND d.refobjsubid > 0 "
          "LEFT JOIN pg_class oc ON oc.oid = d.refobjid "
          "LEFT JOIN pg_attribute oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid "
          "WHERE c.relnamespace IN ({}) AND NOT EXISTS (SELECT 1 FROM pg_depend x "
          "WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid "
          "AND x.deptype IN ('i', 'e'))",
          r.namespaces)));
  for (const auto& row : rows.rows) {
    if (row[9] && Contains(r.excluded, *row[9])) continue;
    SchemaObject& o = r.objects.Get("sequence", r.Name(row[0], row[1]));
    o.fixed.push_back(fmt::format("as {} start {} increment {} minvalue {} maxvalue {} cache {}{}",
                                  Text(row[2]), Text(row[3]), Text(row[4]), Text(row[5]),
                                  Text(row[6]), Text(row[7]), Text(row[8]) == "t" ? " cycle" : ""));
    if (row[10]) o.fixed.push_back("owned by " + *row[10]);
  }
  return Ok();
}

Status ReadTypes(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format(
          "SELECT n.nspname, t.typname, t.typtype::text, "
          "(SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) "
          "FROM pg_enum e WHERE e.enumtypid = t.oid), "
          "format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault, "
          "CASE WHEN t.typcollation <> bt.typcollation THEN quote_ident(co.collname) END, "
          "(SELECT string_agg(con.conname || ' ' || pg_get_constraintdef(con.oid, true), "
          "E'\\n' ORDER BY con.conname) FROM pg_constraint con WHERE con.contypid = t.oid) "
          "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
          "LEFT JOIN pg_type bt ON bt.oid = t.typbasetype "
          "LEFT JOIN pg_collation co ON co.oid = t.typcollation "
          "WHERE t.typnamespace IN ({}) AND t.typtype IN ('e', 'd') AND NOT EXISTS "
          "(SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass "
          "AND d.objid = t.oid AND d.deptype = 'e')",
          r.namespaces)));
  for (const auto& row : rows.rows) {
    if (Text(row[2]) == "e") {
      SchemaObject& o = r.objects.Get("enum", r.Name(row[0], row[1]));
      o.fixed.push_back("values " + Text(row[3]));
      continue;
    }
    SchemaObject& o = r.objects.Get("domain", r.Name(row[0], row[1]));
    std::string line = "as " + Text(row[4]);
    if (row[7]) line += " collate " + *row[7];
    if (Text(row[5]) == "t") line += " not null";
    if (row[6]) line += " default " + *row[6];
    o.fixed.push_back(std::move(line));
    const std::string checks = Text(row[8]);
    std::size_t start = 0;
    while (start < checks.size()) {
      std::size_t end = checks.find('\n', start);
      if (end == std::string::npos) end = checks.size();
      o.parts.push_back("constraint " + checks.substr(start, end - start));
      start = end + 1;
    }
  }
  return Ok();
}

const char* Volatility(const std::string& v) {
  if (v == "i") return "immutable";
  if (v == "s") return "stable";
  return "volatile";
}

Status ReadRoutines(Reader& r) {
  // A routine is identified by name and argument types (overloads are distinct objects). The
  // body is hashed: its text is in the migration that created it.
  const bool sql_body = r.conn.server().version_number >= 140000;
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(fmt::format(
          "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), "
          "p.prokind::text, pg_get_function_result(p.oid), l.lanname, p.provolatile::text, "
          "p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel::text, {}, p.probin, "
          "array_to_string(p.proconfig, ', '), pg_get_function_arguments(p.oid) "
          "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
          "JOIN pg_language l ON l.oid = p.prolang "
          "WHERE p.pronamespace IN ({}) AND NOT EXISTS (SELECT 1 FROM pg_depend d "
          "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')",
          sql_body ? "COALESCE(pg_get_function_sqlbody(p.oid), p.prosrc)" : "p.prosrc",
          r.namespaces)));
  for (const auto& row : rows.rows) {
    const std::string prokind = Text(row[3]);
    const char* kind = prokind == "p" ? "procedure" : prokind == "a" ? "aggregate" : "function";
    SchemaObject& o =
        r.objects.Get(kind, fmt::format("{}({})", r.Name(row[0], row[1]), Text(row[2])));
    o.fixed.push_back("arguments (" + Text(row[14]) + ")");
    if (row[4]) o.fixed.push_back("returns " + *row[4]);
    std::string traits = fmt::format("language {} {}", Text(row[5]), Volatility(Text(row[6])));
    if (Text(row[7]) == "t") traits += " strict";
    if (Text(row[8]) == "t") traits += " security definer";
    if (Text(row[9]) == "t") traits += " leakproof";
    if (Text(row[10]) == "s") traits += " parallel safe";
    if (Text(row[10]) == "r") traits += " parallel restricted";
    if (prokind == "w") traits += " window";
    o.fixed.push_back(std::move(traits));
    if (row[13]) o.fixed.push_back("set " + *row[13]);
    if (row[12]) o.fixed.push_back("library " + *row[12]);
    o.fixed.push_back("body sha256:" + Sha256Hex(Text(row[11])));
  }
  return Ok();
}

Status ReadExtensions(Reader& r) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      r.conn.Query(
          fmt::format("SELECT n.nspname, e.extname FROM pg_extension e "
                      "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extnamespace IN ({})",
                      r.namespaces)));
  for (const auto& row : rows.rows) r.objects.Get("extension", r.Name(row[0], row[1]));
  return Ok();
}

}  // namespace

Result<Snapshot> ReadPostgres(db::Connection& conn, const std::vector<std::string>& schemas,
                              const std::vector<std::string>& excluded_tables) {
  db::TxOptions tx_options;
  tx_options.read_only = true;
  tx_options.isolation = db::Isolation::kRepeatableRead;
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, tx_options));
  Reader r{conn, schemas, excluded_tables, {}, {}, {}};
  STRATA_TRY(ResolveNamespaces(r));
  STRATA_TRY(ReadRelations(r));
  STRATA_TRY(ReadColumns(r));
  STRATA_TRY(ReadConstraints(r));
  STRATA_TRY(ReadIndexes(r));
  STRATA_TRY(ReadTriggers(r));
  STRATA_TRY(ReadSequences(r));
  STRATA_TRY(ReadTypes(r));
  STRATA_TRY(ReadRoutines(r));
  STRATA_TRY(ReadExtensions(r));
  STRATA_TRY(tx.Rollback());
  return r.objects.ToSnapshot(conn, schemas);
}

}  // namespace strata::schema::internal
