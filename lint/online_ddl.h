// What an InnoDB ALTER TABLE can do without blocking writes, per server: for each kind of ALTER
// clause, the best ALTER algorithm (INSTANT, then NOCOPY, INPLACE, COPY) and the weakest LOCK
// the server accepts for it. A pure table (online_ddl.cc) read from the MariaDB "InnoDB Online
// DDL Operations with the INSTANT/NOCOPY/INPLACE Alter Algorithm" pages and MySQL's "Online DDL
// Operations" page, and kept honest by online_ddl_test.cc, which runs every kind on the real
// MariaDB with the claimed algorithm and lock and checks that the server refuses better ones.
#ifndef STRATA_LINT_ONLINE_DDL_H_
#define STRATA_LINT_ONLINE_DDL_H_

#include <optional>
#include <string>
#include <string_view>

namespace strata::lint {

// Best first: a statement that can run with one can run with every later one.
enum class AlterAlgorithm { kInstant, kNocopy, kInplace, kCopy };
// Weakest first. kNone lets every read and write through; kShared blocks writes.
enum class AlterLock { kNone, kShared, kExclusive };

// The kinds of ALTER TABLE clause (and CREATE INDEX) the model knows.
enum class AlterKind {
  kAddColumnLast,           // ADD COLUMN c ... (at the end)
  kAddColumnPositioned,     // ADD COLUMN c ... FIRST | AFTER x
  kAddAutoIncrementColumn,  // ADD COLUMN c ... AUTO_INCREMENT
  kDropColumn,
  kRenameColumn,      // RENAME COLUMN a TO b, CHANGE a b <same definition>
  kChangeColumnType,  // MODIFY / CHANGE to another type
  kWidenVarchar,      // MODIFY c VARCHAR(n) with a larger n (within one length-byte size)
  kSetColumnNull,     // MODIFY c <type> NULL on a NOT NULL column
  kSetColumnNotNull,  // MODIFY c <type> NOT NULL on a nullable column
  kSetDefault,        // ALTER COLUMN c SET DEFAULT / DROP DEFAULT
  kAddIndex,          // ADD INDEX, CREATE INDEX
  kAddUniqueIndex,    // ADD UNIQUE, CREATE UNIQUE INDEX
  kAddFulltextIndex,
  kAddSpatialIndex,
  kDropIndex,
  kRenameIndex,
  kAddPrimaryKey,   // also DROP PRIMARY KEY, ADD PRIMARY KEY in one statement
  kDropPrimaryKey,  // without adding another
  kAddForeignKey,   // with foreign_key_checks on
  kDropForeignKey,
  kAddCheck,
  kDropCheck,           // DROP CONSTRAINT / DROP CHECK
  kConvertCharset,      // CONVERT TO CHARACTER SET
  kRebuild,             // ENGINE=InnoDB, FORCE
  kRenameTable,         // RENAME TO
  kAutoIncrementValue,  // AUTO_INCREMENT = n
};
inline constexpr int kAlterKindCount = static_cast<int>(AlterKind::kAutoIncrementValue) + 1;

// A MariaDB or MySQL server and its version, as db::ServerInfo::version_number writes it
// (major * 10000 + minor * 100 + patch: 101106, 80029).
struct MyServer {
  bool mysql = false;
  int version = 0;
};

// What an ALTER needs at best on a server.
struct OnlineDdl {
  AlterAlgorithm algorithm = AlterAlgorithm::kCopy;
  AlterLock lock = AlterLock::kShared;
  // Whether writes wait while it runs: COPY, or a lock stronger than NONE on anything but an
  // INSTANT change (which holds its lock only for the moment it changes the metadata).
  bool BlocksWrites() const {
    return algorithm == AlterAlgorithm::kCopy ||
           (lock != AlterLock::kNone && algorithm != AlterAlgorithm::kInstant);
  }
};

OnlineDdl BestOnlineDdl(AlterKind kind, const MyServer& server);
// Of several clauses in one statement: the worst algorithm and the strongest lock.
OnlineDdl Combine(const OnlineDdl& a, const OnlineDdl& b);

// "ADD COLUMN (last)", "DROP PRIMARY KEY", ...
std::string_view AlterKindName(AlterKind kind);
// What to do instead when the kind blocks writes ("" when nothing better is known).
std::string_view AlterKindHint(AlterKind kind);
std::string_view AlgorithmName(AlterAlgorithm algorithm);  // "INSTANT", ...
std::string_view LockName(AlterLock lock);                 // "NONE", ...
// Parses an ALGORITHM= / LOCK= value (any case); nullopt for DEFAULT or anything else.
std::optional<AlterAlgorithm> ParseAlgorithm(std::string_view text);
std::optional<AlterLock> ParseLock(std::string_view text);

// "ALGORITHM=INSTANT", "ALGORITHM=INPLACE, LOCK=NONE", "ALGORITHM=COPY, LOCK=SHARED": the
// clauses that ask for `ddl` (INSTANT needs no LOCK=: the server takes what it needs for the
// moment the metadata changes).
std::string OnlineDdlClauses(const OnlineDdl& ddl);

// "MariaDB 10.11", "MySQL 8.0.29" (the patch level only when it is not 0).
std::string MyServerName(const MyServer& server);
// "mariadb-10.6", "MariaDB 10.11.6", "mysql-8.0.29", "mysql 5.7" or a bare "10.6" / "8.0.29"
// (MariaDB from major 10 on, MySQL below): the server `strata lint` assumes offline. nullopt
// when `text` is none of these.
std::optional<MyServer> ParseMyServer(std::string_view text);
// Offline, without a stated version: the oldest MariaDB strata supports (10.6: backfill's SKIP
// LOCKED needs it).
inline constexpr MyServer kDefaultMyServer{false, 100600};

}  // namespace strata::lint

#endif  // STRATA_LINT_ONLINE_DDL_H_
