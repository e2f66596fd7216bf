// The tables of the test-copy job (backfill/testing/copy_job.h) as the backfill tests set them
// up: bf_source (id BIGINT PRIMARY KEY, val BIGINT) and bf_target with CHECK (val >= 0), so
// that a source row with val -1 makes its chunk fail for good.
#ifndef STRATA_TESTS_SUPPORT_COPY_JOB_TABLES_H_
#define STRATA_TESTS_SUPPORT_COPY_JOB_TABLES_H_

#include <set>
#include <string>

#include "db/dialect.h"

namespace strata::testing {

// CREATE TABLE bf_source ...; CREATE TABLE bf_target ...; (InnoDB on MariaDB).
std::string CopyJobTablesSql(db::Dialect dialect);

// INSERT INTO bf_source of n rows, ids step, 2*step, ... with val = id * 10; the ids in `bad`
// get val = -1.
std::string CopyJobSeedSql(int n, int step = 1, const std::set<int>& bad = {});

// One count: bf_target rows that differ from bf_source or are missing there, plus bf_source
// rows missing from bf_target. 0 once a run has copied everything.
inline constexpr const char* kCopyJobMismatchesSql =
    "SELECT (SELECT count(*) FROM bf_source s WHERE NOT EXISTS (SELECT 1 FROM bf_target t "
    "WHERE t.id = s.id AND t.val = s.val)) + (SELECT count(*) FROM bf_target t WHERE NOT "
    "EXISTS (SELECT 1 FROM bf_source s WHERE s.id = t.id))";

}  // namespace strata::testing

#endif  // STRATA_TESTS_SUPPORT_COPY_JOB_TABLES_H_
