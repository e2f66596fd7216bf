#include "schema/snapshot.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>

#include "db/flavor/flavor.h"
#include "db/sql/tokenizer.h"
#include "schema/introspect.h"

namespace strata::schema {
namespace {

// Kinds in the order their blocks appear: types before the tables that use them, tables before
// the views that read them, routines last.
int KindRank(const std::string& kind) {
  static const std::array<const char*, 12> kOrder = {
      "extension",         "enum",     "domain",    "type",      "sequence", "table", "view",
      "materialized view", "function", "procedure", "aggregate", "event"};
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (kind == kOrder[i]) return static_cast<int>(i);
  }
  return static_cast<int>(kOrder.size());
}

// One value per line: control characters become visible escapes, trailing spaces go.
std::string EscapeLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// What schema/ knows per engine: the introspection reader that reads its catalogs, and what
// to say when the session has no current schema. It stays here, one table rather than in
// db::Flavor, because the readers build schema/'s Snapshot and db/ must not depend on schema/.
struct Engine {
  db::Dialect dialect;
  Result<Snapshot> (*read)(db::Connection&, const std::vector<std::string>&,
                           const std::vector<std::string>&);
  const char* no_current_schema;  // formatted with the connection's display URL
};

constexpr std::array<Engine, 3> kEngines = {{
    {db::Dialect::kPostgres, &internal::ReadPostgres,
     "{}: no current schema (the search_path names no existing schema): name the schemas to "
     "dump with --schemas"},
    {db::Dialect::kMariaDb, &internal::ReadMariaDb,
     "{}: no database selected: add one to the URL (mariadb://user@host/DATABASE) or name it "
     "with --schemas"},
    {db::Dialect::kSqlite, &internal::ReadSqlite, "{}: no current schema"},
}};

const Engine* EngineOf(const db::Connection& conn) {
  for (const Engine& engine : kEngines) {
    if (engine.dialect == conn.dialect()) return &engine;
  }
  return nullptr;
}

Result<std::vector<std::string>> CurrentSchema(db::Connection& conn, const Engine& engine) {
  Result<std::string> schema = db::FlavorOf(conn).CurrentSchema(conn);
  // The flavor's message names the `schema` setting; dump-schema takes --schemas.
  if (!schema && schema.error().code == ErrorCode::kInvalidArgument) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format(fmt::runtime(engine.no_current_schema), conn.display_url()));
  }
  if (!schema) return std::move(schema).error();
  return std::vector<std::string>{std::move(*schema)};
}

}  // namespace

std::vector<std::string> StrataTables(const std::string& history_table) {
  // The history table's statement progress (migrations/progress.h) is strata's too.
  return {history_table, kBackfillRunTable, kBackfillChunkTable, history_table + "_progress"};
}

std::string Snapshot::Render() const {
  std::vector<const SchemaObject*> sorted;
  sorted.reserve(objects.size());
  for (const SchemaObject& o : objects) sorted.push_back(&o);
  std::sort(sorted.begin(), sorted.end(), [](const SchemaObject* a, const SchemaObject* b) {
    return std::make_tuple(KindRank(a->kind), std::cref(a->kind), std::cref(a->name)) <
           std::make_tuple(KindRank(b->kind), std::cref(b->kind), std::cref(b->name));
  });

  std::string out = "-- strata schema snapshot v1\n";
  out += fmt::format("-- dialect: {}\n", dialect);
  if (schemas.size() > 1) out += fmt::format("-- schemas: {}\n", fmt::join(schemas, ", "));
  for (const SchemaObject* o : sorted) {
    out += '\n';
    out += EscapeLine(o->kind + " " + o->name);
    out += '\n';
    for (const std::string& part : o->fixed) {
      out += "  ";
      out += EscapeLine(part);
      out += '\n';
    }
    std::vector<std::string> parts;
    parts.reserve(o->parts.size());
    for (const std::string& part : o->parts) parts.push_back(EscapeLine(part));
    std::sort(parts.begin(), parts.end());
    for (const std::string& part : parts) {
      out += "  ";
      out += part;
      out += '\n';
    }
  }
  return out;
}

Result<Snapshot> ReadSnapshot(db::Connection& conn, const SnapshotOptions& options) {
  const Engine* engine = EngineOf(conn);
  if (engine == nullptr) return Err(ErrorCode::kInternal, "unknown dialect");
  std::vector<std::string> schemas = options.schemas;
  if (schemas.empty()) {
    STRATA_ASSIGN_OR_RETURN(schemas, CurrentSchema(conn, *engine));
  }
  std::sort(schemas.begin(), schemas.end());
  schemas.erase(std::unique(schemas.begin(), schemas.end()), schemas.end());
  return engine->read(conn, schemas, options.excluded_tables);
}

Result<std::string> DumpSchema(db::Connection& conn, const SnapshotOptions& options) {
  STRATA_ASSIGN_OR_RETURN(Snapshot snapshot, ReadSnapshot(conn, options));
  return snapshot.Render();
}

std::string Fingerprint(std::string_view snapshot) { return internal::Sha256Hex(snapshot); }

namespace internal {

SchemaObject& ObjectSet::Get(const std::string& kind, const std::string& name) {
  auto [it, inserted] = objects_.try_emplace({kind, name});
  if (inserted) {
    it->second.kind = kind;
    it->second.name = name;
  }
  return it->second;
}

SchemaObject* ObjectSet::Find(const std::string& kind, const std::string& name) {
  auto it = objects_.find({kind, name});
  return it == objects_.end() ? nullptr : &it->second;
}

std::vector<SchemaObject> ObjectSet::Take() {
  std::vector<SchemaObject> out;
  out.reserve(objects_.size());
  for (auto& [key, object] : objects_) out.push_back(std::move(object));
  objects_.clear();
  return out;
}

Snapshot ObjectSet::ToSnapshot(const db::Connection& conn,
                               const std::vector<std::string>& schemas) {
  Snapshot snapshot;
  snapshot.dialect = db::FlavorOf(conn).name();
  snapshot.schemas = schemas;
  snapshot.objects = Take();
  return snapshot;
}

std::string DisplayName(const std::vector<std::string>& schemas, const std::string& schema,
                        const std::string& name) {
  return schemas.size() > 1 ? schema + "." + name : name;
}

std::string NormaliseSql(std::string_view sql, db::Dialect dialect) {
  std::string out;
  out.reserve(sql.size());
  bool pending_space = false;
  db::sql::Tokenizer tokens(sql, dialect);
  while (std::optional<db::sql::Token> token = tokens.Next()) {
    if (token->IsTrivia()) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += token->text;
  }
  while (!out.empty() && (out.back() == ';' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string Sha256Hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(std::size_t{2} * length);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string Text(const db::Cell& cell) { return cell.value_or(""); }

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace internal
}  // namespace strata::schema
