// Every rule's recipe (lint/rule.h) runs on the real server of its engine and lints clean: the
// safe way a finding suggests is itself safe, and valid SQL.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db/sql/splitter.h"
#include "lint/linter.h"
#include "lint/rule.h"
#include "tests/support/test_env.h"

namespace strata::lint {
namespace {

using db::Dialect;

// The tables every recipe works on, as an existing production database would have them.
std::string Fixture(Dialect dialect) {
  switch (dialect) {
    case Dialect::kPostgres:
      return "DROP TABLE IF EXISTS orders, customers;\n"
             "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
             "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text,\n"
             "  total numeric, created_at timestamptz, note varchar(20));";
    case Dialect::kMariaDb:
      return "DROP TABLE IF EXISTS orders, customers;\n"
             "CREATE TABLE customers (id BIGINT PRIMARY KEY) ENGINE=InnoDB;\n"
             "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT, status VARCHAR(20),\n"
             "  total DECIMAL(10,2), created_at DATETIME, note VARCHAR(20)) ENGINE=InnoDB;";
    case Dialect::kSqlite:
      return "DROP TABLE IF EXISTS orders;\nDROP TABLE IF EXISTS customers;\n"
             "CREATE TABLE customers (id INTEGER PRIMARY KEY);\n"
             "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, status TEXT,\n"
             "  total REAL, created_at TEXT, note TEXT);";
  }
  return "";
}

// A recipe's migrations, cut at kRecipeNextMigration lines.
std::vector<SourceFile> Migrations(const Rule& rule) {
  std::vector<SourceFile> files;
  std::string_view rest = rule.recipe;
  while (true) {
    const std::size_t cut = rest.find(kRecipeNextMigration);
    files.push_back({std::string(rule.id) + "_recipe_" + std::to_string(files.size() + 1) + ".sql",
                     std::string(rest.substr(0, cut))});
    if (cut == std::string_view::npos) break;
    rest = rest.substr(cut + kRecipeNextMigration.size());
  }
  return files;
}

bool AppliesTo(const Rule& rule, Dialect dialect) {
  // The engine-neutral rules' recipes are written for PostgreSQL.
  return rule.dialect ? *rule.dialect == dialect : dialect == Dialect::kPostgres;
}

class RecipeTest : public testing::ScratchDatabaseTest {};

TEST_P(RecipeTest, EveryRecipeRunsAndLintsClean) {
  int checked = 0;
  for (const Rule& rule : AllRules()) {
    if (!AppliesTo(rule, dialect())) continue;
    ++checked;
    const std::vector<SourceFile> files = Migrations(rule);
    AnalyzeOptions options;
    options.dialect = dialect();
    for (const Finding& f : Judge(Analyze(files, options).findings, {})) {
      EXPECT_TRUE(f.suppressed) << rule.id << "'s recipe: " << f.file << ":" << f.line << ": "
                                << f.rule->id << " " << f.message;
    }
    Exec(Fixture(dialect()));
    for (const SourceFile& file : files) {
      db::sql::SplitOptions split;
      split.dialect = dialect();
      auto statements = db::sql::Split(file.text, split);
      ASSERT_TRUE(statements) << rule.id << ": " << statements.error().message;
      for (const db::sql::Statement& s : *statements) {
        const Status st = conn_->ExecuteScript(s.text);
        EXPECT_TRUE(st) << rule.id << "'s recipe fails on the server: " << s.text << ": "
                        << st.error().message;
      }
    }
  }
  EXPECT_GT(checked, 2);
}

INSTANTIATE_TEST_SUITE_P(All, RecipeTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

}  // namespace
}  // namespace strata::lint
