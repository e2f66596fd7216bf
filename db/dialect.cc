#include "db/dialect.h"

#include <fmt/format.h>

#include <string>

namespace strata::db {

const char* DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kPostgres:
      return "postgresql";
    case Dialect::kMariaDb:
      return "mariadb";
    case Dialect::kSqlite:
      return "sqlite";
  }
  return "unknown";
}

// fmt::format rather than `"$" + std::to_string(n)`, which GCC 12 at -O3 warns falsely about
// (-Wrestrict, GCC PR 105651).
std::string Placeholder(Dialect dialect, int n) {
  switch (dialect) {
    case Dialect::kPostgres:
      return fmt::format("${}", n);
    case Dialect::kMariaDb:
      return "?";
    case Dialect::kSqlite:
      return fmt::format("?{}", n);
  }
  return "?";
}

std::string QuoteIdentifier(Dialect dialect, std::string_view name) {
  const char quote = dialect == Dialect::kMariaDb ? '`' : '"';
  std::string out;
  out.reserve(name.size() + 2);
  out += quote;
  for (char c : name) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

bool HasTransactionalDdl(Dialect dialect) { return dialect != Dialect::kMariaDb; }

}  // namespace strata::db
