#include "tests/support/copy_job_tables.h"

#include <fmt/format.h>

namespace strata::testing {

std::string CopyJobTablesSql(db::Dialect dialect) {
  const std::string engine = dialect == db::Dialect::kMariaDb ? " ENGINE=InnoDB" : "";
  return fmt::format(
      "CREATE TABLE bf_source (id BIGINT PRIMARY KEY, val BIGINT NOT NULL){0};\n"
      "CREATE TABLE bf_target (id BIGINT PRIMARY KEY, val BIGINT NOT NULL, "
      "CONSTRAINT bf_target_val CHECK (val >= 0)){0};\n",
      engine);
}

std::string CopyJobSeedSql(int n, int step, const std::set<int>& bad) {
  std::string sql = "INSERT INTO bf_source (id, val) VALUES ";
  for (int i = 1; i <= n; ++i) {
    const int id = i * step;
    sql += fmt::format("{}({}, {})", i == 1 ? "" : ", ", id, bad.contains(id) ? -1 : id * 10);
  }
  return sql;
}

}  // namespace strata::testing
