// SQLite's SQL and facts. A schema is `main` or an attached database's name; there are no
// users and no row locks (one writer at a time, taken with BEGIN IMMEDIATE).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "db/flavor/flavors.h"

namespace strata::db::flavors {
namespace {

// SQLite has no session locks: the migration lock is an exclusive flock() on a file beside the
// database, which the kernel drops when the process dies, so it cannot go stale.
class FileLock final : public MigrationLockHandle {
 public:
  FileLock(std::string path, int fd)
      : MigrationLockHandle(fmt::format("flock({})", path)), path_(std::move(path)), fd_(fd) {}
  ~FileLock() override {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  Result<bool> TryTake(std::chrono::milliseconds /*wait*/) override {
    return ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  std::string Holder() override { return fmt::format("another process (lock file {})", path_); }
  Result<bool> Release() override {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));  // closing drops the flock
    return true;
  }

 private:
  std::string path_;
  int fd_;
};

// An in-memory database belongs to one connection: nothing else can migrate it.
class NoLock final : public MigrationLockHandle {
 public:
  NoLock() : MigrationLockHandle(kDescription) {}
  static constexpr const char* kDescription = "none (in-memory database)";

  Result<bool> TryTake(std::chrono::milliseconds /*wait*/) override { return true; }
  std::string Holder() override { return "nobody"; }
  Result<bool> Release() override { return true; }
};

// The main database's file, "" for an in-memory database.
Result<std::string> MainDatabaseFile(Connection& conn) {
  STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query("PRAGMA database_list"));
  for (const auto& row : rows.rows) {
    if (row.size() >= 3 && row[1] == "main") return row[2].value_or("");
  }
  return std::string();
}

class SqliteFlavor final : public Flavor {
 public:
  Dialect dialect() const override { return Dialect::kSqlite; }
  bool has_transactional_ddl() const override { return true; }

  // ---- The session -----------------------------------------------------------------------

  Result<std::string> CurrentSchema(Connection& /*conn*/) const override {
    return std::string("main");
  }
  Result<std::string> CurrentDatabase(Connection& /*conn*/) const override {
    return std::string("main");
  }
  Result<std::string> CurrentUser(Connection& /*conn*/) const override { return std::string(); }
  Result<bool> TableExists(Connection& conn, std::string_view schema,
                           std::string_view table) const override {
    const std::string master = schema.empty() ? "sqlite_schema" : Quote(schema) + ".sqlite_schema";
    return QueryAny(conn, "SELECT count(*) FROM " + master + " WHERE type = 'table' AND name = ?1",
                    {std::string(table)});
  }
  Result<bool> SchemaExists(Connection& conn, std::string_view schema) const override {
    return QueryAny(conn, "SELECT count(*) FROM pragma_database_list WHERE name = ?1",
                    {std::string(schema)});
  }

  // ---- Building blocks for strata's own tables ------------------------------------------

  std::string EpochMillisNow() const override {
    return "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
  }
  std::string_view AutoIncrementPrimaryKey() const override {
    return "INTEGER PRIMARY KEY AUTOINCREMENT";
  }
  std::string_view ForUpdate() const override { return ""; }
  std::string ForUpdateSkipLocked(const ServerInfo& /*server*/) const override { return ""; }

  // ---- Migrations: scripts and dry runs -------------------------------------------------

  std::string_view BoolLiteral(bool value) const override { return value ? "1" : "0"; }
  std::string_view BeginWriteTransaction() const override { return "BEGIN IMMEDIATE"; }

  // ---- Migrations: history table, lock, clean -------------------------------------------

  // SQLite names an index's schema on the index, not on its table.
  std::vector<std::string> HistoryTableDdl(std::string_view schema,
                                           std::string_view table) const override {
    const std::string index = QualifiedName(schema, std::string(table) + "_s_idx");
    return {fmt::format("CREATE TABLE {} (\"installed_rank\" INT NOT NULL PRIMARY KEY, "
                        "\"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, "
                        "\"type\" VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, "
                        "\"checksum\" INT, \"installed_by\" VARCHAR(100) NOT NULL, "
                        "\"installed_on\" TEXT NOT NULL DEFAULT "
                        "(strftime('%Y-%m-%d %H:%M:%f','now')), \"execution_time\" INT NOT "
                        "NULL, \"success\" BOOLEAN NOT NULL)",
                        QualifiedName(schema, table)),
            fmt::format("CREATE INDEX {} ON {} (\"success\")", index, Quote(table))};
  }

  bool migration_lock_needs_connection() const override { return false; }
  Result<std::string> DescribeMigrationLock(Connection& conn,
                                            const MigrationLockId& /*id*/) const override {
    STRATA_ASSIGN_OR_RETURN(std::string db_path, MainDatabaseFile(conn));
    if (db_path.empty()) return std::string(NoLock::kDescription);
    return fmt::format("flock({}.strata-lock)", db_path);
  }
  // One lock per database file, whichever history table: SQLite allows one writer anyway.
  Result<std::unique_ptr<MigrationLockHandle>> PrepareMigrationLock(
      Connection& conn, const MigrationLockId& /*id*/) const override {
    STRATA_ASSIGN_OR_RETURN(std::string db_path, MainDatabaseFile(conn));
    if (db_path.empty()) return std::unique_ptr<MigrationLockHandle>(std::make_unique<NoLock>());
    const std::string path = db_path + ".strata-lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Err(ErrorCode::kIo,
                 fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
    }
    return std::unique_ptr<MigrationLockHandle>(std::make_unique<FileLock>(path, fd));
  }

  // Triggers, views, tables (virtual tables first, which removes their shadow tables; indexes
  // go with their tables); sqlite_* objects are SQLite's own.
  Result<std::vector<CleanDrop>> CleanDrops(Connection& conn,
                                            const std::string& schema) const override {
    const std::string s = Quote(schema);
    STRATA_ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query(fmt::format("SELECT name, type FROM {}.sqlite_schema WHERE type IN ('trigger', "
                               "'view', 'table') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                               "ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE "
                               "2 END, coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%', name",
                               s)));
    std::vector<CleanDrop> drops;
    for (const auto& row : rows.rows) {
      const std::string name = row[0].value_or("");
      const std::string type = row[1].value_or("");
      const std::string keyword = type == "trigger" ? "TRIGGER" : type == "view" ? "VIEW" : "TABLE";
      drops.push_back(
          {schema, type, name, fmt::format("DROP {} IF EXISTS {}.{}", keyword, s, Quote(name))});
    }
    return drops;
  }
  // Every foreign key is checked at COMMIT, when the tables on both sides are gone.
  CleanFraming CleanFrame() const override { return {"", {"PRAGMA defer_foreign_keys = ON"}, {}}; }

  // ---- Tools: configuration, generated data ---------------------------------------------

  bool database_is_file() const override { return true; }

  // ---- Backfill ----------------------------------------------------------------------------

  bool has_single_writer() const override { return true; }
  std::string ServerSleep(double /*seconds*/) const override { return ""; }

  // ---- Run support ---------------------------------------------------------------------

  // The excluded table's own indexes and triggers (tbl_name) do not count either.
  Result<std::int64_t> CountObjectsExcept(Connection& conn, std::string_view /*schema*/,
                                          std::string_view excluded_table) const override {
    STRATA_ASSIGN_OR_RETURN(Rows rows,
                            conn.Query("SELECT count(*) FROM sqlite_schema WHERE name NOT "
                                       "LIKE 'sqlite_%' AND name <> ?1 AND tbl_name <> ?1",
                                       {std::string(excluded_table)}));
    return rows.Int(0, 0);
  }

  // ---- Statement progress (migrations/progress.h) --------------------------------------

  // Scripts run in a transaction here unless told otherwise; the catalog still answers.
  Result<IndexState> IndexStateOf(Connection& conn, std::string_view schema,
                                  std::string_view index) const override {
    STRATA_ASSIGN_OR_RETURN(
        bool exists,
        QueryAny(conn,
                 fmt::format("SELECT count(*) FROM {}.sqlite_schema WHERE type = 'index' AND "
                             "name = ?1",
                             Quote(schema.empty() ? "main" : schema)),
                 {std::string(index)}));
    return exists ? IndexState::kValid : IndexState::kAbsent;
  }
  Result<bool> ColumnExists(Connection& conn, std::string_view schema, std::string_view table,
                            std::string_view column) const override {
    return QueryAny(
        conn, "SELECT count(*) FROM pragma_table_info(?1, ?2) WHERE name = ?3",
        {std::string(table), std::string(schema.empty() ? "main" : schema), std::string(column)});
  }
};

}  // namespace

const Flavor& Sqlite() {
  static const SqliteFlavor flavor;
  return flavor;
}

}  // namespace strata::db::flavors
