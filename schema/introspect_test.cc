// Snapshots of real schemas on PostgreSQL, MariaDB and SQLite: the same schema built in a
// different order (and with different physical history) gives byte-identical text; strata's own
// tables are left out; a changed column, index, view or function shows in the diff with the
// object named.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schema/diff.h"
#include "schema/snapshot.h"
#include "tests/support/test_env.h"

namespace strata::schema {
namespace {

// The schemas below are lists of SQL statements, many of them one string literal split over
// several lines; that is what this check mistakes for a missing comma.
// NOLINTBEGIN(bugprone-suspicious-missing-comma)

using testing::ScratchDatabase;
using Statements = std::vector<std::string>;

// The same objects twice: `first` in a natural order; `second` in another order, with foreign
// keys and constraints added afterwards, a dropped column, a dropped table and strata's own
// tables (which the snapshot must leave out).
struct SchemaPair {
  Statements first;
  Statements second;
  Statements change;  // a changed column default, index, view and function on top of `first`
  std::vector<std::string> changed_objects;
  std::vector<std::string> changed_lines;  // lines the unified diff must contain
};

SchemaPair PostgresPair() {
  const std::string touch_fn =
      "CREATE FUNCTION book_touch() RETURNS trigger LANGUAGE plpgsql AS $$ "
      "BEGIN NEW.title := trim(NEW.title); RETURN NEW; END $$";
  const std::string book_view =
      "CREATE VIEW book_titles AS SELECT b.title, a.name FROM book b "
      "JOIN author a ON a.id = b.author_id";
  SchemaPair p;
  p.first = {
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
      "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
      "CREATE SEQUENCE ticket_seq START 100",
      "CREATE TABLE author (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
      "name text COLLATE \"C\" NOT NULL, mood mood)",
      "CREATE TABLE book (id bigserial PRIMARY KEY, "
      "author_id bigint NOT NULL REFERENCES author (id) ON DELETE CASCADE, "
      "title text NOT NULL DEFAULT '', pages posint, "
      "title_lower text GENERATED ALWAYS AS (lower(title)) STORED, "
      "CONSTRAINT book_title_uk UNIQUE (author_id, title), "
      "CONSTRAINT book_pages_ck CHECK (pages < 10000))",
      "CREATE INDEX book_title_idx ON book (lower(title)) WHERE pages > 10",
      "CREATE INDEX book_author_idx ON book USING hash (author_id)",
      touch_fn,
      "CREATE TRIGGER book_touch BEFORE INSERT OR UPDATE ON book "
      "FOR EACH ROW EXECUTE FUNCTION book_touch()",
      book_view,
      "CREATE MATERIALIZED VIEW book_counts AS SELECT author_id, count(*) AS n FROM book "
      "GROUP BY author_id",
      "CREATE INDEX book_counts_idx ON book_counts (author_id)",
      "CREATE PROCEDURE noop(a integer) LANGUAGE sql AS $$ SELECT 1 $$",
  };
  p.second = {
      "CREATE TABLE scratch (x int)",
      "CREATE PROCEDURE noop(a integer) LANGUAGE sql AS $$ SELECT 1 $$",
      touch_fn,
      "CREATE TABLE strata_schema_history (installed_rank int PRIMARY KEY, version text)",
      "CREATE TABLE strata_backfill_run (id bigserial PRIMARY KEY, job text)",
      "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
      "CREATE TABLE book (id bigserial PRIMARY KEY, author_id bigint NOT NULL, "
      "title text NOT NULL DEFAULT '', dropped int, pages posint, "
      "title_lower text GENERATED ALWAYS AS (lower(title)) STORED)",
      "ALTER TABLE book DROP COLUMN dropped",
      "CREATE INDEX book_author_idx ON book USING hash (author_id)",
      "CREATE TRIGGER book_touch BEFORE INSERT OR UPDATE ON book "
      "FOR EACH ROW EXECUTE FUNCTION book_touch()",
      "CREATE TABLE author (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
      "name text COLLATE \"C\" NOT NULL, mood mood)",
      "ALTER TABLE book ADD CONSTRAINT book_pages_ck CHECK (pages < 10000)",
      "ALTER TABLE book ADD CONSTRAINT book_title_uk UNIQUE (author_id, title)",
      "ALTER TABLE book ADD CONSTRAINT book_author_id_fkey FOREIGN KEY (author_id) "
      "REFERENCES author (id) ON DELETE CASCADE",
      "CREATE MATERIALIZED VIEW book_counts AS SELECT author_id, count(*) AS n FROM book "
      "GROUP BY author_id",
      book_view,
      "CREATE INDEX book_counts_idx ON book_counts (author_id)",
      "CREATE INDEX book_title_idx ON book (lower(title)) WHERE pages > 10",
      "CREATE SEQUENCE ticket_seq START 100",
      "DROP TABLE scratch",
  };
  p.change = {
      "ALTER TABLE author ALTER COLUMN mood SET DEFAULT 'ok'",
      "DROP INDEX book_title_idx",
      "CREATE INDEX book_title_idx ON book (upper(title)) WHERE pages > 10",
      "CREATE OR REPLACE VIEW book_titles AS SELECT b.title, a.name, b.pages FROM book b "
      "JOIN author a ON a.id = b.author_id",
      "CREATE OR REPLACE FUNCTION book_touch() RETURNS trigger LANGUAGE plpgsql AS $$ "
      "BEGIN NEW.title := upper(NEW.title); RETURN NEW; END $$",
  };
  p.changed_objects = {"table author", "table book", "view book_titles", "function book_touch()"};
  p.changed_lines = {
      "\n-  column mood mood\n+  column mood mood default 'ok'::mood\n",
      "\n-  index book_title_idx btree (lower(title)) WHERE ((pages)::integer > 10)\n",
      "\n+  index book_title_idx btree (upper(title)) WHERE ((pages)::integer > 10)\n",
      "\n+  column pages posint\n",
  };
  return p;
}

SchemaPair MariaDbPair() {
  const std::string author =
      "CREATE TABLE author (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
      "name VARCHAR(100) COLLATE utf8mb4_bin NOT NULL, "
      "created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP) "
      "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
  const std::string view =
      "CREATE VIEW book_titles AS SELECT b.title, a.name FROM book b "
      "JOIN author a ON a.id = b.author_id";
  const std::string function =
      "CREATE FUNCTION book_count(p_author BIGINT) RETURNS INT READS SQL DATA "
      "RETURN (SELECT COUNT(*) FROM book WHERE author_id = p_author)";
  const std::string procedure = "CREATE PROCEDURE noop(IN a INT) BEGIN SELECT a; END";
  const std::string trigger =
      "CREATE TRIGGER book_trim BEFORE INSERT ON book FOR EACH ROW SET NEW.title = TRIM(NEW.title)";
  const std::string event =
      "CREATE EVENT purge_books ON SCHEDULE EVERY 1 DAY DO DELETE FROM book WHERE pages IS NULL";
  const std::string sequence = "CREATE SEQUENCE ticket_seq START WITH 100";
  SchemaPair p;
  p.first = {
      author,
      "CREATE TABLE book (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
      "author_id BIGINT NOT NULL, title VARCHAR(200) NOT NULL DEFAULT '', pages INT, "
      "title_len INT AS (CHAR_LENGTH(title)) VIRTUAL, INDEX book_author_idx (author_id), "
      "UNIQUE KEY book_title_uk (author_id, title), "
      "CONSTRAINT book_author_fk FOREIGN KEY (author_id) REFERENCES author (id) "
      "ON DELETE CASCADE, CONSTRAINT book_pages_ck CHECK (pages > 0)) "
      "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
      "CREATE INDEX book_title_prefix_idx ON book (title(20) DESC)",
      view,
      function,
      procedure,
      trigger,
      event,
      sequence,
      "INSERT INTO author (name) VALUES ('a'), ('b')",
  };
  p.second = {
      sequence,
      "CREATE TABLE strata_schema_history (installed_rank INT PRIMARY KEY)",
      "CREATE TABLE strata_backfill_chunk (id BIGINT AUTO_INCREMENT PRIMARY KEY)",
      procedure,
      "CREATE TABLE book (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
      "author_id BIGINT NOT NULL, title VARCHAR(200) NOT NULL DEFAULT '', pages INT, "
      "title_len INT AS (CHAR_LENGTH(title)) VIRTUAL) "
      "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
      "CREATE INDEX book_title_prefix_idx ON book (title(20) DESC)",
      "CREATE INDEX book_author_idx ON book (author_id)",
      trigger,
      author,
      "ALTER TABLE book ADD CONSTRAINT book_pages_ck CHECK (pages > 0)",
      "ALTER TABLE book ADD CONSTRAINT book_author_fk FOREIGN KEY (author_id) "
      "REFERENCES author (id) ON DELETE CASCADE",
      "ALTER TABLE book ADD UNIQUE KEY book_title_uk (author_id, title)",
      event,
      function,
      view,
  };
  p.change = {
      "ALTER TABLE author ALTER COLUMN name SET DEFAULT 'x'",
      "DROP INDEX book_title_prefix_idx ON book",
      "CREATE INDEX book_title_prefix_idx ON book (title(30))",
      "CREATE OR REPLACE VIEW book_titles AS SELECT b.title, a.name, b.pages FROM book b "
      "JOIN author a ON a.id = b.author_id",
      "DROP FUNCTION book_count",
      "CREATE FUNCTION book_count(p_author BIGINT) RETURNS INT READS SQL DATA "
      "RETURN (SELECT COUNT(*) + 1 FROM book WHERE author_id = p_author)",
  };
  p.changed_objects = {"table author", "table book", "view book_titles", "function book_count"};
  p.changed_lines = {
      "\n+  column name varchar(100) collate utf8mb4_bin not null default 'x'\n",
      "\n-  index book_title_prefix_idx btree (title(20) desc)\n",
      "\n+  index book_title_prefix_idx btree (title(30))\n",
  };
  return p;
}

SchemaPair SqlitePair() {
  const std::string author =
      "CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT, "
      "name TEXT COLLATE NOCASE NOT NULL CHECK (length(name) > 0))";
  const std::string book =
      "CREATE TABLE book (id INTEGER PRIMARY KEY, "
      "author_id INTEGER NOT NULL REFERENCES author (id) ON DELETE CASCADE, "
      "title TEXT NOT NULL DEFAULT '', pages INTEGER, "
      "title_lower TEXT GENERATED ALWAYS AS (lower(title)) VIRTUAL, "
      "CONSTRAINT book_title_uk UNIQUE (author_id, title), "
      "CONSTRAINT book_pages_ck CHECK (pages < 10000))";
  const std::string index =
      "CREATE INDEX book_title_idx ON book (lower(title), pages DESC) "
      "WHERE pages > 10";
  const std::string view =
      "CREATE VIEW book_titles AS SELECT b.title, a.name FROM book b "
      "JOIN author a ON a.id = b.author_id";
  const std::string trigger =
      "CREATE TRIGGER book_trim AFTER INSERT ON book BEGIN "
      "UPDATE book SET title = trim(title) WHERE id = NEW.id; END";
  SchemaPair p;
  p.first = {author, book, index, view, trigger, "INSERT INTO author (name) VALUES ('a')"};
  p.second = {"CREATE TABLE scratch (x)",
              book,
              trigger,
              view,
              "CREATE TABLE strata_schema_history (installed_rank INTEGER PRIMARY KEY)",
              index,
              author,
              "DROP TABLE scratch"};
  p.change = {
      "DROP TRIGGER book_trim",
      "CREATE TRIGGER book_trim AFTER INSERT ON book BEGIN "
      "UPDATE book SET title = upper(title) WHERE id = NEW.id; END",
      "DROP INDEX book_title_idx",
      "CREATE INDEX book_title_idx ON book (lower(title)) WHERE pages > 10",
      "DROP VIEW book_titles",
      "CREATE VIEW book_titles AS SELECT b.title FROM book b",
      "ALTER TABLE author ADD COLUMN born TEXT",
  };
  p.changed_objects = {"table author", "table book", "view book_titles"};
  p.changed_lines = {
      "\n+  column born TEXT\n",
      "\n-  index book_title_idx (lower(title), pages desc) where pages > 10\n",
      "\n+  index book_title_idx (lower(title)) where pages > 10\n",
      "\n+  definition SELECT b.title FROM book b\n",
  };
  return p;
}

class IntrospectTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  SchemaPair Pair() const {
    switch (GetParam()) {
      case db::Dialect::kPostgres:
        return PostgresPair();
      case db::Dialect::kMariaDb:
        return MariaDbPair();
      case db::Dialect::kSqlite:
        return SqlitePair();
    }
    return {};
  }

  static void Run(db::Connection& conn, const Statements& statements) {
    for (const std::string& sql : statements) {
      auto r = conn.Query(sql);
      ASSERT_TRUE(r) << sql << ": " << r.error().message;
    }
  }

  static std::string Dump(db::Connection& conn) {
    SnapshotOptions options;
    options.excluded_tables = StrataTables("strata_schema_history");
    auto dump = DumpSchema(conn, options);
    EXPECT_TRUE(dump) << dump.error().message;
    return dump ? *dump : "";
  }
};

TEST_P(IntrospectTest, SameSchemaInAnotherOrderGivesTheSameBytes) {
  const SchemaPair pair = Pair();
  auto first = ScratchDatabase::Create(GetParam());
  auto second = ScratchDatabase::Create(GetParam());
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  auto a = first->Connect();
  auto b = second->Connect();
  ASSERT_NO_FATAL_FAILURE(Run(*a, pair.first));
  ASSERT_NO_FATAL_FAILURE(Run(*b, pair.second));
  const std::string dump_a = Dump(*a);
  const std::string dump_b = Dump(*b);
  EXPECT_EQ(dump_a, dump_b) << DiffSnapshots(dump_a, dump_b, "first", "second").unified;
  EXPECT_EQ(Fingerprint(dump_a), Fingerprint(dump_b));
  EXPECT_EQ(dump_a.find("strata_"), std::string::npos) << dump_a;
  EXPECT_NE(dump_a.find("\ntable book\n"), std::string::npos) << dump_a;
  EXPECT_NE(dump_a.find("\nview book_titles\n"), std::string::npos) << dump_a;
  // The same connection dumps the same bytes again.
  EXPECT_EQ(Dump(*a), dump_a);
}

TEST_P(IntrospectTest, ChangedColumnIndexViewAndFunctionAreNamedInTheDiff) {
  const SchemaPair pair = Pair();
  auto scratch = ScratchDatabase::Create(GetParam());
  ASSERT_NE(scratch, nullptr);
  auto conn = scratch->Connect();
  ASSERT_NO_FATAL_FAILURE(Run(*conn, pair.first));
  const std::string before = Dump(*conn);
  ASSERT_NO_FATAL_FAILURE(Run(*conn, pair.change));
  const std::string after = Dump(*conn);
  const SnapshotDiff diff = DiffSnapshots(before, after, "expected", "live");
  std::vector<std::string> named;
  for (const ObjectChange& c : diff.objects) {
    EXPECT_EQ(c.kind, ObjectChangeKind::kChanged) << c.object;
    named.push_back(c.object);
  }
  EXPECT_EQ(named, pair.changed_objects) << diff.unified;
  for (const std::string& object : pair.changed_objects) {
    EXPECT_NE(diff.unified.find(" @@ " + object + "\n"), std::string::npos) << object << "\n"
                                                                            << diff.unified;
  }
  for (const std::string& line : pair.changed_lines) {
    EXPECT_NE(diff.unified.find(line), std::string::npos) << line << "\n" << diff.unified;
  }
}

TEST_P(IntrospectTest, UnknownSchemaIsNotFound) {
  auto scratch = ScratchDatabase::Create(GetParam());
  ASSERT_NE(scratch, nullptr);
  auto conn = scratch->Connect();
  SnapshotOptions options;
  options.schemas = {"no_such_schema"};
  auto dump = DumpSchema(*conn, options);
  ASSERT_FALSE(dump);
  EXPECT_EQ(dump.error().code, ErrorCode::kNotFound);
  EXPECT_NE(dump.error().message.find("'no_such_schema'"), std::string::npos)
      << dump.error().message;
}

INSTANTIATE_TEST_SUITE_P(Engines, IntrospectTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

// NOLINTEND(bugprone-suspicious-missing-comma)

}  // namespace
}  // namespace strata::schema
