// Internal to schema/: the per-engine catalog readers and the text helpers they share.
#ifndef STRATA_SCHEMA_INTROSPECT_H_
#define STRATA_SCHEMA_INTROSPECT_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "schema/snapshot.h"

namespace strata::schema::internal {

// The per-engine readers behind ReadSnapshot. `schemas` is never empty here: ReadSnapshot has
// resolved the current schema already.
Result<Snapshot> ReadPostgres(db::Connection& conn, const std::vector<std::string>& schemas,
                              const std::vector<std::string>& excluded_tables);
Result<Snapshot> ReadMariaDb(db::Connection& conn, const std::vector<std::string>& schemas,
                             const std::vector<std::string>& excluded_tables);
Result<Snapshot> ReadSqlite(db::Connection& conn, const std::vector<std::string>& schemas,
                            const std::vector<std::string>& excluded_tables);

// Collects objects by (kind, name) while the catalog rows of several queries arrive.
class ObjectSet {
 public:
  // The object, created empty on first use.
  SchemaObject& Get(const std::string& kind, const std::string& name);
  // The object if it exists, else nullptr.
  SchemaObject* Find(const std::string& kind, const std::string& name);
  std::vector<SchemaObject> Take();
  // Moves the objects into the snapshot of `schemas` read on `conn`'s engine.
  Snapshot ToSnapshot(const db::Connection& conn, const std::vector<std::string>& schemas);

 private:
  std::map<std::pair<std::string, std::string>, SchemaObject> objects_;
};

// How an object's name appears: "schema.name" when several schemas are dumped, else "name".
std::string DisplayName(const std::vector<std::string>& schemas, const std::string& schema,
                        const std::string& name);

// `sql` with comments removed and every run of whitespace and comments outside strings and
// quoted identifiers collapsed to one space, trimmed, without a final ';'. Strings, quoted
// identifiers and comments are `dialect`'s (db/sql/tokenizer.h); an unterminated one runs to
// the end.
std::string NormaliseSql(std::string_view sql, db::Dialect dialect = db::Dialect::kPostgres);

// SHA-256 of `text` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view text);

// The cell's text, or "" for NULL.
std::string Text(const db::Cell& cell);

// Whether `name` is in `names` (exact match).
bool Contains(const std::vector<std::string>& names, const std::string& name);

}  // namespace strata::schema::internal

#endif  // STRATA_SCHEMA_INTROSPECT_H_
