#!/usr/bin/env python3
"""strata backfill against the ingest ceiling only, on servers that are already running.

bench/backfill_bench.py measures every baseline (the recursive CTE, the set-based statements,
one row per statement, three data sizes, peak memory at 1,000,000 events), starts its own
servers unless STRATA_TEST_POSTGRES_URL is set, and names its PostgreSQL databases without a
prefix. This script measures only what the ingest-ceiling targets need, on the servers the
environment names (e.g. the production-durability pair: `set -a; . /tmp/durable.env`), with
every database prefixed so that it can share those servers:

  the ceiling   PostgreSQL: psql \\copy of the precomputed missing rows; MariaDB: LOAD DATA
                LOCAL INFILE of them (backfill_bench.py's SQL, the same table and indexes)
  s<i>w1, s<i>w2  `BIN_i backfill run event-view-metrics --workers 1|2 [EXTRA...]` for each
                binary given (before/after comparisons in one run)

Rounds are interleaved (each round starts one contestant later); each run gets a fresh copy of
a template database (kept between invocations, with the rows file, under --prefix) and, on
MariaDB, a flushed buffer pool (backfill_bench.settle_mariadb). Prints each run and, per
contestant, the median, rows/s and the ratio to the ceiling's median, with the load average.

usage: bench/backfill_ceiling.py postgres|mariadb EVENTS ROUNDS BIN[,BIN...] [EXTRA...]
  --prefix NAME (first, optional; default "bench") prefixes the databases.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import backfill_bench as B  # noqa: E402

GENERATE = REPO / "build" / "examples" / "events" / "generator" / "strata-events-generate"


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


class Engine:
    def __init__(self, R, s, name, prefix, events, work):
        self.R, self.s, self.name, self.prefix, self.events = R, s, name, prefix, events
        self.work, self.rows_file = work, work / "rows.tsv"
        self.template = f"{prefix}_tpl_{events}"

    def db(self, key):
        return f"{self.prefix}_{key}_{self.events}"

    def data(self):
        """The template's generator summary; makes the template and the rows file once."""
        summary = self.work / "data.json"
        if not self.template_exists() or not self.rows_file.exists() or not summary.exists():
            data = self.make_template()
            summary.write_text(json.dumps(data.__dict__))
        return json.loads(summary.read_text())


class Postgres(Engine):
    ceiling = "copy"

    def url(self, db):
        return self.s.pg_url(db)

    def template_exists(self):
        return self.s.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = "
                           f"'{self.template}'") == "1"

    def make_template(self):
        R, s, t = self.R, self.s, self.template
        s.psql("postgres", f'DROP DATABASE IF EXISTS "{t}"')
        s.psql("postgres", f'CREATE DATABASE "{t}"')
        B.apply_migrations_pg(R, s, t)
        data = B.generate(R, {"GENERATE": str(GENERATE)}, s.pg_url(t), self.events)
        s.psql(t, "VACUUM ANALYZE")
        B.write_rows_file(R, ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                              B.PG_CEILING_ROWS_SQL, s.pg_url(t)], self.rows_file, "rows")
        return data

    def fresh(self, key):
        db = self.db(key)
        self.s.psql("postgres", f'DROP DATABASE IF EXISTS "{db}"')
        self.s.psql("postgres", f'CREATE DATABASE "{db}" TEMPLATE "{self.template}"')
        self.s.psql("postgres", "CHECKPOINT")
        return db

    def count(self, db):
        return int(self.s.psql(db, "SELECT count(*) FROM event_view_metric"))

    def drop(self, db):
        self.s.psql("postgres", f'DROP DATABASE "{db}"')

    def ceiling_argv(self, db):
        load = B.PG_CEILING_LOAD.replace("{WORK}/evm_pg_rows.tsv", str(self.rows_file))
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", load, self.s.pg_url(db)]


class MariaDb(Engine):
    ceiling = "load"

    def url(self, db):
        return self.s.my_url(db)

    def template_exists(self):
        return self.s.mariadb("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE "
                              f"SCHEMA_NAME = '{self.template}'") == "1"

    def make_template(self):
        R, s, t = self.R, self.s, self.template
        s.mariadb(f"DROP DATABASE IF EXISTS `{t}`")
        s.mariadb(f"CREATE DATABASE `{t}`")
        B.apply_migrations_my(R, s, t)
        data = B.generate(R, {"GENERATE": str(GENERATE)}, s.my_url(t), self.events)
        B.write_rows_file(R, s.mariadb_client() + ["--quick", "-N", "-B", "-e",
                                                   B.MARIADB_CEILING_ROWS_SQL, t],
                          self.rows_file, "rows")
        return data

    def fresh(self, key):
        db = self.db(key)
        s = self.s
        s.mariadb(f"DROP DATABASE IF EXISTS `{db}`")
        s.mariadb(f"CREATE DATABASE `{db}`")
        B.apply_migrations_my(self.R, s, db)
        s.mariadb("SET SESSION foreign_key_checks = 0; " + " ".join(
            f"INSERT INTO `{db}`.{table} SELECT * FROM `{self.template}`.{table};"
            for table in ("event", "event_statistic", "event_view_metric")))
        B.settle_mariadb(self.R, s)
        return db

    def count(self, db):
        return int(self.s.mariadb("SELECT count(*) FROM event_view_metric", db))

    def drop(self, db):
        self.s.mariadb(f"DROP DATABASE `{db}`")

    def ceiling_argv(self, db):
        load = B.MARIADB_CEILING_LOAD.replace("{WORK}/evm_my_rows.tsv", str(self.rows_file))
        return self.s.mariadb_client() + ["--local-infile=1", "-e", load, db]


def main(argv):
    prefix = "bench"
    if argv[:1] == ["--prefix"]:
        prefix, argv = argv[1], argv[2:]
    if len(argv) < 4 or argv[0] not in ("postgres", "mariadb"):
        print(__doc__.split("usage: ")[1], file=sys.stderr)
        return 2
    name, events, rounds, bins, extra = (argv[0], int(argv[1]), int(argv[2]),
                                         argv[3].split(","), argv[4:])
    R = B.bench_run_module()
    s = R.Servers()
    work = Path(R.work_base()) / f"{prefix}_backfill_ceiling_{name}_{events}"
    work.mkdir(exist_ok=True)
    engine = (Postgres if name == "postgres" else MariaDb)(R, s, name, prefix, events, work)
    data = engine.data()
    expected = data["existing"] + data["missing"]
    rss_file = work / "rss"
    contestants = [(engine.ceiling, engine.ceiling_argv)]
    for i, binary in enumerate(bins):
        for workers in (1, 2):
            contestants.append((f"s{i}w{workers}", lambda db, b=binary, w=workers: [
                "/usr/bin/time", "-f", "%M", "-o", str(rss_file), b, "backfill", "run",
                "event-view-metrics", "--url", engine.url(db), "--workers", str(w)] + extra))
    load_start = loadavg()
    times, rss = {key: [] for key, _ in contestants}, {}
    for r in range(rounds):
        shift = r % len(contestants)
        for key, argv_of in contestants[shift:] + contestants[:shift]:
            db = engine.fresh(key)
            started = time.perf_counter()
            done = subprocess.run(argv_of(db), capture_output=True, text=True)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"{key} failed: {done.stderr[-2000:]}")
            n = engine.count(db)
            if n != expected:
                raise SystemExit(f"{key}: {n} metric rows, expected {expected}")
            if key != engine.ceiling:
                rss.setdefault(key, []).append(int(rss_file.read_text().split()[-1]))
            engine.drop(db)
            times[key].append(seconds)
            print(f"round {r} {key} {seconds:.3f}s", flush=True)
    base = statistics.median(times[engine.ceiling])
    print(f"{name}, {events:,} events, {data['missing']:,} missing rows, {rounds} rounds, "
          f"load average {load_start} -> {loadavg()}")
    for key, _ in contestants:
        median = statistics.median(times[key])
        print(f"  {key:6s} median {median:.3f} s  {data['missing'] / median:,.0f} rows/s  "
              f"{base / median:.3f}x the ceiling  runs {[round(t, 2) for t in times[key]]}  "
              f"peak RSS KiB {rss.get(key)}")
    print("binaries:", ", ".join(f"s{i}={b}" for i, b in enumerate(bins)), "extra:", extra)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
