#!/usr/bin/env python3
"""Backfill benchmark: the event-view-metrics job against the SQL it replaces (issue 7).

Data: 100,000 legacy events from strata-events-generate (seed 1, Asia/Seoul, 20% of the
statistics partly covered): about 105,000 statistics, 174,000 existing metric rows and 2.96
million missing ones. Every run gets a fresh copy (PostgreSQL: CREATE DATABASE … TEMPLATE;
MariaDB: the migrations, then INSERT … SELECT of a template database's rows, untimed), so every
command does the whole backfill, and starts with every dirty page written (PostgreSQL:
CHECKPOINT; MariaDB: InnoDB flushed, see settle_mariadb), so none pays for another's writes.

Commands (PostgreSQL):
  set        one set-based statement through psql: INSERT … SELECT … generate_series …
             ON CONFLICT DO NOTHING (the baseline), local days via AT TIME ZONE, events that
             end before they start excluded as the domain rule does
  strata     the job with 1 worker; strata2 with --workers 2
  dry        the job's count-mode dry run (read-only transactions)
  per_row    a client sending one INSERT per row (psql -f, autocommit), on the first 2,000
             events only (a whole run would take minutes); compared in rows/s
  copy       the ingest ceiling: the exact rows the job writes, computed beforehand (untimed,
             in SQL, from the template database) into a file, loaded with psql's \copy into
             the same table with its indexes and the rows already present
Commands (MariaDB):
  cte        the hand-written recursive CTE from the issue (the baseline), with
             max_recursive_iterations raised: at the default (1,000) MariaDB 10.11 stops it
             with ERROR 1931 on this data
  seq        the best set-based form: a join to seq_0_to_3660 with a no-op
             ON DUPLICATE KEY UPDATE
  strata     the job with 1 worker; strata2 with --workers 2
  load       the ingest ceiling: the exact rows, precomputed (untimed) into a file, loaded with
             LOAD DATA LOCAL INFILE
The servers run at production durability (fsync / innodb_flush_log_at_trx_commit=1) when
bench/run or this script starts them (tests/with-servers with STRATA_SERVERS_DURABLE=1); the
results record the servers' settings either way.
Throughput against data size (PostgreSQL): set and strata (1 worker) also at 10,000 and
30,000 events (--quick: 10,000 only).
Peak memory of the strata process (/usr/bin/time -f %M) at 100,000 and 1,000,000 events
(PostgreSQL, --workers 2). With bench/run --quick the 1,000,000-event run is skipped (it
takes minutes) and peak memory is compared between 10,000 and 100,000 events (1 worker)
instead; the results say so.

"strata" is `strata backfill run event-view-metrics` when the CLI has the command, otherwise
bench/backfill_driver.cc (strata-backfill-driver: the job through the engine's RunJob / DryRun
with default options, as the CLI will run it, minus argument parsing and progress output),
and the results say which one ran.

bench/run imports this module and calls bench_backfill(ctx). It can also run alone:
  python3 bench/backfill_bench.py [--rounds N] [--build-dir DIR] [--no-build] [--skip-1m]
                                  [--out FILE]
which builds the targets it needs, restarts itself under tests/with-servers (set
STRATA_TEST_PG_PORT / STRATA_TEST_MY_PORT to move the servers) and prints the result as JSON.
"""

import argparse
import importlib.machinery
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVENTS = 100_000
EVENTS_LARGE = 1_000_000
PER_ROW_EVENTS = 2_000
ZONE = "Asia/Seoul"
ROUNDS = (1, 3)  # (quick, full)
# Throughput against data size (PostgreSQL, strata 1 worker and the set-based statement): the
# smaller sizes run here, the largest is the main measurement at EVENTS.
SIZE_SERIES = (10_000, 30_000)
SIZE_SERIES_QUICK = (10_000,)  # --quick must stay within 10 minutes
SIZE_ROUNDS = (1, 3)  # (quick, full)

# The targets.
PG_ONE_WORKER_MIN = 0.8  # × the set-based statement's rows/s
PG_TWO_WORKERS_MIN = 1.0
# Against the ingest ceiling (COPY / LOAD DATA of the precomputed rows), at production
# durability (issue 19).
PG_CEILING_ONE_WORKER_MIN = 0.8
PG_CEILING_TWO_WORKERS_MIN = 0.9
MARIADB_CEILING_MIN = 0.95
MARIADB_MIN = 2.0  # × the recursive CTE's rows/s
PER_ROW_MIN = 8.0  # × one row per statement
MEMORY_MAX_GROWTH = 0.20  # between 100,000 and 1,000,000 events
DRY_RUN_MAX = 0.3  # × the real run's time

PG_SET_SQL = f"""\
INSERT INTO event_view_metric (event_statistic_id, view_date, view_count, created_at, updated_at)
SELECT s.event_statistic_id, d.day::date, 0, now(), now()
FROM event_statistic s
JOIN event e ON e.event_id = s.event_id
CROSS JOIN LATERAL generate_series((e.registration_start AT TIME ZONE '{ZONE}')::date::timestamp,
                                   (e.event_end AT TIME ZONE '{ZONE}')::date::timestamp,
                                   interval '1 day') AS d(day)
WHERE e.event_end >= e.registration_start
ON CONFLICT DO NOTHING;
"""

# The statement, verbatim, after raising the recursion limit for this session.
MARIADB_CTE_SQL = """\
SET SESSION max_recursive_iterations = 100000;
INSERT INTO event_view_metric (event_statistic_id, view_date, view_count, created_at, updated_at)
SELECT DateSeries.event_statistic_id, DateSeries.metric_date, 0, NOW(), NOW()
FROM (WITH RECURSIVE DateSeries_CTE AS (
        SELECT es.event_statistic_id, CAST(e.registration_start AS DATE) AS metric_date, CAST(e.event_end AS DATE) AS end_date
        FROM event e JOIN event_statistic es ON e.event_id = es.event_id
        UNION ALL
        SELECT ds.event_statistic_id, DATE_ADD(ds.metric_date, INTERVAL 1 DAY), ds.end_date
        FROM DateSeries_CTE ds WHERE ds.metric_date < ds.end_date)
      SELECT * FROM DateSeries_CTE) AS DateSeries
WHERE NOT EXISTS (SELECT 1 FROM event_view_metric evm
                  WHERE evm.event_statistic_id = DateSeries.event_statistic_id AND evm.view_date = DateSeries.metric_date);
"""

# DATETIMEs are wall-clock times in the zone already, so DATE() is the local date.
MARIADB_SEQ_SQL = """\
INSERT INTO event_view_metric (event_statistic_id, view_date, view_count, created_at, updated_at)
SELECT s.event_statistic_id, DATE(e.registration_start) + INTERVAL q.seq DAY, 0, NOW(), NOW()
FROM event_statistic s
STRAIGHT_JOIN event e ON e.event_id = s.event_id
JOIN seq_0_to_3660 q ON q.seq <= DATEDIFF(e.event_end, e.registration_start)
WHERE e.event_end >= e.registration_start
ON DUPLICATE KEY UPDATE event_view_metric.event_statistic_id = event_view_metric.event_statistic_id;
"""

# One INSERT per missing row of the first PER_ROW_EVENTS events, written by the server itself.
PG_PER_ROW_FILE_SQL = """\
COPY (
  SELECT format('INSERT INTO event_view_metric (event_statistic_id, view_date, view_count, '
                'created_at, updated_at) VALUES (%s, %L, 0, now(), now()) ON CONFLICT DO NOTHING;',
                s.event_statistic_id, d.day::date)
  FROM event_statistic s
  JOIN event e ON e.event_id = s.event_id
  CROSS JOIN LATERAL generate_series((e.registration_start AT TIME ZONE '{zone}')::date::timestamp,
                                     (e.event_end AT TIME ZONE '{zone}')::date::timestamp,
                                     interval '1 day') AS d(day)
  WHERE e.event_end >= e.registration_start AND e.event_id <= {events}
    AND NOT EXISTS (SELECT 1 FROM event_view_metric m
                    WHERE m.event_statistic_id = s.event_statistic_id AND m.view_date = d.day::date)
  ORDER BY s.event_statistic_id, d.day
) TO STDOUT
"""


# The ingest ceiling's rows: exactly the missing ones, in the job's order, with one timestamp
# for all (the job writes one per chunk), as COPY's text format.
EVM_COLUMNS = "event_statistic_id, view_date, view_count, created_at, updated_at"
PG_CEILING_ROWS_SQL = f"""\
COPY (
  SELECT s.event_statistic_id, d.day::date, 0, now(), now()
  FROM event_statistic s
  JOIN event e ON e.event_id = s.event_id
  CROSS JOIN LATERAL generate_series((e.registration_start AT TIME ZONE '{ZONE}')::date::timestamp,
                                     (e.event_end AT TIME ZONE '{ZONE}')::date::timestamp,
                                     interval '1 day') AS d(day)
  WHERE e.event_end >= e.registration_start
    AND NOT EXISTS (SELECT 1 FROM event_view_metric m
                    WHERE m.event_statistic_id = s.event_statistic_id AND m.view_date = d.day::date)
  ORDER BY s.event_statistic_id, d.day
) TO STDOUT
"""
PG_CEILING_LOAD = (f"\\copy event_view_metric ({EVM_COLUMNS}) FROM '{{WORK}}/evm_pg_rows.tsv'")

# DATETIMEs are wall-clock times in the zone already, so DATE() is the local date.
MARIADB_CEILING_ROWS_SQL = """\
SELECT s.event_statistic_id, DATE(e.registration_start) + INTERVAL q.seq DAY AS day, 0, NOW(),
       NOW()
FROM event_statistic s
STRAIGHT_JOIN event e ON e.event_id = s.event_id
JOIN seq_0_to_3660 q ON q.seq <= DATEDIFF(e.event_end, e.registration_start)
WHERE e.event_end >= e.registration_start
  AND NOT EXISTS (SELECT 1 FROM event_view_metric m
                  WHERE m.event_statistic_id = s.event_statistic_id
                    AND m.view_date = DATE(e.registration_start) + INTERVAL q.seq DAY)
ORDER BY s.event_statistic_id, day
"""
MARIADB_CEILING_LOAD = (f"LOAD DATA LOCAL INFILE '{{WORK}}/evm_my_rows.tsv' INTO TABLE "
                        f"event_view_metric ({EVM_COLUMNS})")


def write_rows_file(R, argv, path, what):
    """Runs `argv` with its standard output in `path` (untimed); returns the lines written."""
    with open(path, "w") as out:
        done = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise R.BenchError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()}")
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def ceiling_targets(by, ceiling_key, checks):
    """Targets of strata's rows/s against the ingest ceiling's, measured in the same rounds."""
    targets = []
    base = by[ceiling_key]["rows_per_s"]
    for key, text, minimum in checks:
        ratio = by[key]["rows_per_s"] / base if base else 0
        by[key]["ratio_to_ceiling"] = round(ratio, 3)
        targets.append({"target": f"{text}: at least {minimum}× the ingest ceiling "
                                  f"({ceiling_key})",
                        "measured": f"{ratio:.2f}× ({by[key]['rows_per_s']:,} vs {base:,} "
                                    "rows/s)", "met": ratio >= minimum})
    return targets


def bench_run_module():
    """bench/run's helpers (Contestant, Command, run_rounds, summarize, ...): the running
    bench/run itself when it imported us, otherwise loaded from its file."""
    main = sys.modules.get("__main__")
    if main is not None and hasattr(main, "run_rounds") and hasattr(main, "Contestant"):
        return main
    if "strata_bench_run" in sys.modules:
        return sys.modules["strata_bench_run"]
    loader = importlib.machinery.SourceFileLoader("strata_bench_run", str(REPO / "bench" / "run"))
    spec = importlib.util.spec_from_loader("strata_bench_run", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["strata_bench_run"] = module
    loader.exec_module(module)
    return module


def tool_paths(ctx):
    build = Path(ctx.build_dir)
    return {
        "GENERATE": str(build / "examples" / "events" / "generator" / "strata-events-generate"),
        "DRIVER": str(build / "bench" / "strata-backfill-driver"),
    }


def strata_has_backfill(ctx):
    if not Path(ctx.strata).exists():
        return False
    done = subprocess.run([ctx.strata, "backfill", "run", "--help"], capture_output=True,
                          text=True)
    return done.returncode == 0


def strata_command(R, use_cli, url_var, workers, dry_run, rss_file):
    """The strata contestant's command, under /usr/bin/time for its peak memory."""
    if use_cli:
        tokens = ["{STRATA}", "backfill", "run", "event-view-metrics", "--url", url_var,
                  "--workers", str(workers)]
    else:
        tokens = ["{DRIVER}", "--url", url_var, "--workers", str(workers)]
    if dry_run:
        tokens.append("--dry-run")
    return R.Command(["/usr/bin/time", "-f", "%M", "-o", rss_file] + tokens)


def rows_per_second(rows, seconds):
    return rows / seconds if seconds > 0 else 0.0


class Data:
    """What the generator reported for the data set: rows a complete backfill adds."""

    def __init__(self, summary):
        self.existing = summary["existing_metric_rows"]
        self.missing = summary["missing_metric_rows"]
        self.events = summary["events"]


def apply_migrations_pg(R, s, db):
    for name in ("V1__create_event", "V2__create_event_statistic",
                 "V3__create_event_view_metric"):
        R.run_checked(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f",
                       str(REPO / "examples/events/migrations/postgres" / f"{name}.sql"),
                       s.pg_url(db)], "psql migration")


def apply_migrations_my(R, s, db):
    for name in ("V1__create_event", "V2__create_event_statistic",
                 "V3__create_event_view_metric"):
        path = REPO / "examples/events/migrations/mariadb" / f"{name}.sql"
        with open(path, "rb") as f:
            R.run_checked(s.mariadb_client() + [db], "mariadb migration", stdin=f)


def generate(R, tools, url, events):
    out = R.run_checked([tools["GENERATE"], "--url", url, "--events", str(events), "--zone", ZONE,
                         "--batch", "2000", "--json"], "strata-events-generate")
    return Data(json.loads(out))


def pg_template(R, ctx, tools, name, events):
    s = ctx.servers
    s.psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
    s.psql("postgres", f'CREATE DATABASE "{name}"')
    apply_migrations_pg(R, s, name)
    data = generate(R, tools, s.pg_url(name), events)
    s.psql(name, "VACUUM ANALYZE")
    return data


def pg_metric_rows(s, db):
    return int(s.psql(db, "SELECT count(*) FROM event_view_metric"))


def my_metric_rows(s, db):
    return int(s.mariadb("SELECT count(*) FROM event_view_metric", db))


# InnoDB settings changed for a moment by settle_mariadb, restored afterwards.
SETTLE_VARIABLES = ("innodb_max_dirty_pages_pct", "innodb_io_capacity_max", "innodb_io_capacity")
SETTLE_TIMEOUT_S = 120


def settle_mariadb(R, s):
    """MariaDB's counterpart of the CHECKPOINT before every PostgreSQL run: writes every dirty
    page (the previous run's and the fresh copy's) before the clock starts, so that no run pays
    for flushing another's writes. InnoDB has no statement for it, so for a moment it is told
    to keep no dirty pages, with no I/O ceiling; then its settings are restored. Untimed."""
    saved = s.mariadb("SELECT " + ", ".join(f"@@GLOBAL.{v}" for v in SETTLE_VARIABLES)).split()
    s.mariadb("SET GLOBAL innodb_io_capacity_max = 100000; SET GLOBAL innodb_io_capacity = 100000; "
              "SET GLOBAL innodb_max_dirty_pages_pct = 0")
    try:
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            dirty = int(s.mariadb("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                                  "WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'"))
            if dirty == 0:
                return
            if time.monotonic() > deadline:
                raise R.BenchError(f"MariaDB still has {dirty} dirty pages after "
                                   f"{SETTLE_TIMEOUT_S} s of flushing")
            time.sleep(0.1)
    finally:
        # io_capacity must not exceed io_capacity_max at any moment: lower it first.
        values = dict(zip(SETTLE_VARIABLES, saved))
        s.mariadb(f"SET GLOBAL innodb_io_capacity = {values['innodb_io_capacity']}; "
                  f"SET GLOBAL innodb_io_capacity_max = {values['innodb_io_capacity_max']}; "
                  f"SET GLOBAL innodb_max_dirty_pages_pct = "
                  f"{values['innodb_max_dirty_pages_pct']}")


def read_rss(path):
    try:
        return int(Path(path).read_text().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


def bench_backfill(ctx):
    """Runs the backfill benchmark; returns bench/run's result shape (title, description,
    rounds, baseline, rows, targets, ...) with per-engine tables under "engines"."""
    R = bench_run_module()
    s = ctx.servers
    if s is None:
        raise R.BenchError("the backfill benchmark needs the test servers (tests/with-servers)")
    tools = tool_paths(ctx)
    for key, path in tools.items():
        if not Path(path).exists():
            raise R.BenchError(f"{path} is missing: build its target first (ninja -C "
                               f"{ctx.build_dir} strata_events_generate strata_backfill_driver)")
    use_cli = strata_has_backfill(ctx)
    strata_label = ("strata backfill run" if use_cli
                    else "strata engine via bench driver (no CLI yet)")
    rounds = getattr(ctx.args, "reps", None) or (ROUNDS[0] if ctx.args.quick else ROUNDS[1])
    work = Path(ctx.work)
    values = dict(ctx.values, **tools)
    ctx_values_before = ctx.values
    ctx.values = values  # run_rounds reads ctx.values
    start_load = R.loadavg()
    try:
        engines = getattr(ctx.args, "backfill_engines", ("postgres", "mariadb"))
        skipped = {"data": None, "targets": [], "peak_rss_kib": {},
                   "result": {"rows": [], "skipped": True}}
        pg = (bench_postgres(R, ctx, tools, work, use_cli, strata_label, rounds)
              if "postgres" in engines else skipped)
        my = (bench_mariadb(R, ctx, tools, work, use_cli, strata_label, rounds)
              if "mariadb" in engines else skipped)
        sizes = (bench_sizes(R, ctx, tools, work, use_cli, strata_label, pg)
                 if "postgres" in engines else {"skipped": True, "points": []})
        memory = (bench_memory(R, ctx, tools, work, use_cli, pg, sizes)
                  if "postgres" in engines else {"targets": [], "result": {"skipped": True}})
    finally:
        ctx.values = ctx_values_before

    targets = pg["targets"] + my["targets"] + memory["targets"]
    R.print_targets(targets)
    return {
        "title": "Backfill event_view_metric rows for 100,000 legacy events",
        "description": (
            "about 2.96 million missing rows (174,000 present) from "
            f"strata-events-generate --events {EVENTS} --seed 1 --zone {ZONE}; each run on a "
            "fresh copy with no dirty pages left (PostgreSQL CHECKPOINT, InnoDB flushed). "
            "'strata' is " + strata_label + ". Rates are rows written per second "
            "of wall time."),
        "rounds": rounds,
        "warmup": "none (each run takes tens of seconds)",
        "baseline": "set (PostgreSQL) / cte (MariaDB)",
        "strata_command": strata_label,
        "engines": {"postgres": pg["result"], "mariadb": my["result"]},
        "sizes": sizes,
        "memory": memory["result"],
        "rows": pg["result"]["rows"] + my["result"]["rows"],
        "targets": targets,
        "loadavg": {"start": start_load, "end": R.loadavg()},
        "server_durability": s.durability(),
    }


def with_rates(rows, rows_of):
    for r in rows:
        written = rows_of(r["key"])
        r["rows"] = written
        r["rows_per_s"] = round(rows_per_second(written, r["median_s"]))
    return rows


def bench_postgres(R, ctx, tools, work, use_cli, strata_label, rounds):
    s = ctx.servers
    R.log(f"\n== backfill (PostgreSQL): generating {EVENTS:,} events into a template database")
    data = pg_template(R, ctx, tools, "evm_template", EVENTS)
    R.log(f"  {data.missing:,} missing rows, {data.existing:,} present")
    (work / "evm_pg_set.sql").write_text(PG_SET_SQL)
    ceiling_rows = write_rows_file(
        R, ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", PG_CEILING_ROWS_SQL,
            s.pg_url("evm_template")], work / "evm_pg_rows.tsv", "psql COPY (…) TO STDOUT")
    if ceiling_rows != data.missing:
        raise R.BenchError(f"the ingest ceiling's file holds {ceiling_rows} rows, the generator "
                           f"reported {data.missing} missing")
    rss = {}

    def fresh(key, template="evm_template"):
        def make(tag):
            db = f"evm_{key}_{tag}"
            s.psql("postgres", f'DROP DATABASE IF EXISTS "{db}"')
            s.psql("postgres", f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
            s.psql("postgres", "CHECKPOINT")
            return {"DB": db, "PG_URL": s.pg_url(db), "RSS": str(work / f"rss_pg_{key}_{tag}")}
        return make

    def check_complete(key):
        def check(values):
            n = pg_metric_rows(s, values["DB"])
            if n != data.existing + data.missing:
                raise R.BenchError(f"{key}: {values['DB']} holds {n} metric rows after the run, "
                                   f"expected {data.existing + data.missing}")
            if key.startswith("strata"):
                rss.setdefault(key, []).append(read_rss(values["RSS"]))
            s.psql("postgres", f'DROP DATABASE "{values["DB"]}"')
        return check

    def check_unchanged(values):
        n = pg_metric_rows(s, values["DB"])
        if n != data.existing:
            raise R.BenchError(f"dry run changed {values['DB']}: {n} metric rows")
        rss.setdefault("dry", []).append(read_rss(values["RSS"]))
        s.psql("postgres", f'DROP DATABASE "{values["DB"]}"')

    contestants = [
        R.Contestant("set", "psql: one INSERT … SELECT generate_series", R.Command(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "{WORK}/evm_pg_set.sql",
             "{PG_URL}"]), fresh("set"), check_complete("set"), baseline=True),
        R.Contestant("strata", strata_label + ", 1 worker",
                     strata_command(R, use_cli, "{PG_URL}", 1, False, "{RSS}"),
                     fresh("strata"), check_complete("strata")),
        R.Contestant("strata2", strata_label + ", 2 workers",
                     strata_command(R, use_cli, "{PG_URL}", 2, False, "{RSS}"),
                     fresh("strata2"), check_complete("strata2")),
        R.Contestant("copy", "psql: \\copy of the precomputed rows (ingest ceiling)", R.Command(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", PG_CEILING_LOAD, "{PG_URL}"]),
            fresh("copy"), check_complete("copy")),
        R.Contestant("dry", strata_label + ", dry run (count)",
                     strata_command(R, use_cli, "{PG_URL}", 1, True, "{RSS}"),
                     fresh("dry"), check_unchanged),
    ]
    R.run_rounds(ctx, "backfill-pg", contestants, rounds, warmup=[])
    rows = with_rates(R.summarize(contestants, "set"),
                      lambda key: 0 if key == "dry" else data.missing)
    R.print_table("backfill (PostgreSQL): wall time per run", rows, "set")

    # One row per statement: a subset, compared in rows/s.
    per_row_db = "evm_per_row_src"
    s.psql("postgres", f'DROP DATABASE IF EXISTS "{per_row_db}"')
    s.psql("postgres", f'CREATE DATABASE "{per_row_db}" TEMPLATE "evm_template"')
    lines = R.run_checked(["psql", "-X", "-q", "-A", "-t", "-c",
                           PG_PER_ROW_FILE_SQL.format(zone=ZONE, events=PER_ROW_EVENTS),
                           s.pg_url(per_row_db)], "psql per-row file")
    per_row_file = work / "evm_per_row.sql"
    per_row_file.write_text(lines)
    s.psql("postgres", f'DROP DATABASE "{per_row_db}"')
    per_row_rows = lines.count("\n")
    per_row = R.Contestant(
        "per_row", f"psql: one INSERT per row ({per_row_rows:,} rows, first {PER_ROW_EVENTS:,} "
        "events)", R.Command(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f",
                              "{WORK}/evm_per_row.sql", "{PG_URL}"]),
        fresh("perrow"), lambda values: s.psql("postgres", f'DROP DATABASE "{values["DB"]}"'))
    R.run_rounds(ctx, "backfill-pg-per-row", [per_row], 1, warmup=[])
    per_row_rows_s = [r for r in R.summarize([per_row], "per_row")][0]
    per_row_rows_s["rows"] = per_row_rows
    per_row_rows_s["rows_per_s"] = round(rows_per_second(per_row_rows,
                                                          per_row_rows_s["median_s"]))
    per_row_rows_s["ratio_to_baseline"] = None  # other rows than the baseline's: see rows/s
    per_row_rows_s["baseline"] = False
    per_row_rows_s["round_ratios"] = None
    R.log(f"  one row per statement: {per_row_rows_s['rows_per_s']:,} rows/s")
    rows.append(per_row_rows_s)

    by = {r["key"]: r for r in rows}
    set_rate = by["set"]["rows_per_s"]
    targets = []

    def rate_target(text, key, base_rate, minimum):
        ratio = by[key]["rows_per_s"] / base_rate if base_rate else 0
        targets.append({"target": text, "measured": f"{ratio:.2f}× ({by[key]['rows_per_s']:,} "
                        f"vs {base_rate:,} rows/s)", "met": ratio >= minimum})

    rate_target(f"PostgreSQL, 1 worker: at least {PG_ONE_WORKER_MIN}× the set-based statement",
                "strata", set_rate, PG_ONE_WORKER_MIN)
    rate_target(f"PostgreSQL, 2 workers: at least {PG_TWO_WORKERS_MIN}× the set-based statement",
                "strata2", set_rate, PG_TWO_WORKERS_MIN)
    rate_target(f"at least {PER_ROW_MIN}× a client inserting one row per statement", "strata",
                by["per_row"]["rows_per_s"], PER_ROW_MIN)
    targets += ceiling_targets(by, "copy", (
        ("strata", "PostgreSQL, 1 worker", PG_CEILING_ONE_WORKER_MIN),
        ("strata2", "PostgreSQL, 2 workers", PG_CEILING_TWO_WORKERS_MIN)))
    dry_ratio = by["dry"]["median_s"] / by["strata"]["median_s"]
    targets.append({"target": f"count-mode dry run at most {DRY_RUN_MAX}× the real run's time",
                    "measured": f"{dry_ratio:.2f}× ({by['dry']['median_s']:.1f} s vs "
                                f"{by['strata']['median_s']:.1f} s)",
                    "met": dry_ratio <= DRY_RUN_MAX})
    peak = {k: max(v for v in vals if v) for k, vals in rss.items() if any(vals)}
    for r in rows:
        if r["key"] in peak:
            r["peak_rss_kib"] = peak[r["key"]]
    return {"data": data, "targets": targets, "peak_rss_kib": peak,
            "result": {"rows": rows, "peak_rss_kib_100k": peak,
                       "missing_rows": data.missing, "existing_rows": data.existing}}


def bench_mariadb(R, ctx, tools, work, use_cli, strata_label, rounds):
    s = ctx.servers
    R.log(f"\n== backfill (MariaDB): generating {EVENTS:,} events into a template database; "
          "each run gets a copy (untimed)")
    (work / "evm_my_cte.sql").write_text(MARIADB_CTE_SQL)
    (work / "evm_my_seq.sql").write_text(MARIADB_SEQ_SQL)
    datas = {}
    rss = {}
    template = f"evm_my_template_{ctx.run_id}"
    started = time.perf_counter()
    s.mariadb(f"CREATE DATABASE `{template}`")
    apply_migrations_my(R, s, template)
    template_data = generate(R, tools, s.my_url(template), EVENTS)
    R.log(f"  {template_data.missing:,} missing rows, {template_data.existing:,} present "
          f"(generated in {time.perf_counter() - started:.1f} s)")
    ceiling_rows = write_rows_file(
        R, s.mariadb_client() + ["--quick", "-N", "-B", "-e", MARIADB_CEILING_ROWS_SQL, template],
        work / "evm_my_rows.tsv", "mariadb SELECT of the missing rows")
    if ceiling_rows != template_data.missing:
        raise R.BenchError(f"the ingest ceiling's file holds {ceiling_rows} rows, the generator "
                           f"reported {template_data.missing} missing")
    # MariaDB has no CREATE DATABASE … TEMPLATE: each run's database gets the example's
    # migrations (the same tables, keys and foreign keys) and the template's rows, which the
    # generator (deterministic: seed 1) wrote once.
    copy_sql = "SET SESSION foreign_key_checks = 0; " + " ".join(
        f"INSERT INTO {{db}}.{table} SELECT * FROM `{template}`.{table};"
        for table in ("event", "event_statistic", "event_view_metric"))

    def fresh(key):
        def make(tag):
            db = f"evm_{key}_{tag}_{ctx.run_id}"
            s.mariadb(f"CREATE DATABASE `{db}`")
            apply_migrations_my(R, s, db)
            s.mariadb(copy_sql.format(db=f"`{db}`"))
            settle_mariadb(R, s)
            datas[db] = template_data
            return {"DB": db, "MY_URL": s.my_url(db), "RSS": str(work / f"rss_my_{key}_{tag}")}
        return make

    counts = {}

    def check(key, exact):
        def run(values):
            data = datas[values["DB"]]
            n = my_metric_rows(s, values["DB"])
            counts.setdefault(key, []).append(n - data.existing)
            if exact and n != data.existing + data.missing:
                raise R.BenchError(f"{key}: {values['DB']} holds {n} metric rows, expected "
                                   f"{data.existing + data.missing}")
            if key.startswith("strata"):
                rss.setdefault(key, []).append(read_rss(values["RSS"]))
            s.mariadb(f"DROP DATABASE `{values['DB']}`")
        return run

    my_client = ["mariadb", "--no-defaults", "--protocol=tcp", "-h", "{MY_HOST}", "-P",
                 "{MY_PORT}", "-u", "{MY_USER}", "{DB}"]
    contestants = [
        # The CTE also writes one row for events that end before they start on the same day
        # (the domain rule writes none), so its count is checked loosely.
        R.Contestant("cte", "mariadb: the hand-written recursive CTE",
                     R.Command(my_client, stdin="{WORK}/evm_my_cte.sql"), fresh("cte"),
                     check("cte", False), baseline=True),
        R.Contestant("seq", "mariadb: INSERT … SELECT join seq_0_to_3660",
                     R.Command(my_client, stdin="{WORK}/evm_my_seq.sql"), fresh("seq"),
                     check("seq", False)),
        R.Contestant("strata", strata_label + ", 1 worker",
                     strata_command(R, use_cli, "{MY_URL}", 1, False, "{RSS}"),
                     fresh("strata"), check("strata", True)),
        R.Contestant("strata2", strata_label + ", 2 workers",
                     strata_command(R, use_cli, "{MY_URL}", 2, False, "{RSS}"),
                     fresh("strata2"), check("strata2", True)),
        R.Contestant("load", "mariadb: LOAD DATA LOCAL INFILE of the precomputed rows (ingest "
                     "ceiling)", R.Command(my_client[:-1] + ["--local-infile=1", "-e",
                                                             MARIADB_CEILING_LOAD, "{DB}"]),
                     fresh("load"), check("load", True)),
    ]
    R.run_rounds(ctx, "backfill-mariadb", contestants, rounds, warmup=[])
    rows = with_rates(R.summarize(contestants, "cte"),
                      lambda key: int(statistics.median(counts[key])))
    R.print_table("backfill (MariaDB): wall time per run", rows, "cte")
    by = {r["key"]: r for r in rows}
    targets = []
    for key, what in (("strata", "1 worker"), ("strata2", "2 workers")):
        ratio = by[key]["rows_per_s"] / by["cte"]["rows_per_s"]
        targets.append({"target": f"MariaDB, {what}: at least {MARIADB_MIN}× the recursive CTE",
                        "measured": f"{ratio:.2f}× ({by[key]['rows_per_s']:,} vs "
                                    f"{by['cte']['rows_per_s']:,} rows/s)",
                        "met": ratio >= MARIADB_MIN})
    targets += ceiling_targets(by, "load", (("strata", "MariaDB, 1 worker", MARIADB_CEILING_MIN),
                                            ("strata2", "MariaDB, 2 workers",
                                             MARIADB_CEILING_MIN)))
    peak = {k: max(v for v in vals if v) for k, vals in rss.items() if any(vals)}
    return {"targets": targets, "result": {"rows": rows, "peak_rss_kib_100k": peak}}


def bench_sizes(R, ctx, tools, work, use_cli, strata_label, pg):
    """Rows/s of the set-based statement and of strata (1 worker) at SIZE_SERIES events, each on
    a fresh copy of a template of that size, interleaved; the EVENTS point comes from the main
    PostgreSQL measurement."""
    s = ctx.servers
    rounds = getattr(ctx.args, "reps", None) or (SIZE_ROUNDS[0] if ctx.args.quick
                                                 else SIZE_ROUNDS[1])
    datas, rss, contestants = {}, {}, []
    sql = str(work / "evm_pg_set.sql")
    for events in SIZE_SERIES_QUICK if ctx.args.quick else SIZE_SERIES:
        template = f"evm_template_{events}"
        R.log(f"\n== backfill throughput at {events:,} events (PostgreSQL): generating a template")
        datas[events] = data = pg_template(R, ctx, tools, template, events)
        R.log(f"  {data.missing:,} missing rows, {data.existing:,} present")

        def fresh(key, template=template):
            def make(tag):
                db = f"evm_{key}_{tag}"
                s.psql("postgres", f'DROP DATABASE IF EXISTS "{db}"')
                s.psql("postgres", f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
                s.psql("postgres", "CHECKPOINT")
                return {"DB": db, "PG_URL": s.pg_url(db),
                        "RSS": str(work / f"rss_pg_{key}_{tag}")}
            return make

        def check(key, data=data):
            def run(values):
                n = pg_metric_rows(s, values["DB"])
                if n != data.existing + data.missing:
                    raise R.BenchError(f"{key}: {values['DB']} holds {n} metric rows, expected "
                                       f"{data.existing + data.missing}")
                if key.startswith("strata"):
                    rss.setdefault(key, []).append(read_rss(values["RSS"]))
                s.psql("postgres", f'DROP DATABASE "{values["DB"]}"')
            return run

        contestants.append((events, [
            R.Contestant(f"set_{events}", f"psql: set-based INSERT, {events:,} events", R.Command(
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", sql, "{PG_URL}"]),
                fresh(f"set_{events}"), check(f"set_{events}"), baseline=True),
            R.Contestant(f"strata_{events}", f"{strata_label}, 1 worker, {events:,} events",
                         strata_command(R, use_cli, "{PG_URL}", 1, False, "{RSS}"),
                         fresh(f"strata_{events}"), check(f"strata_{events}")),
        ]))
    everything = [c for _, cs in contestants for c in cs]
    R.run_rounds(ctx, "backfill-sizes", everything, rounds, warmup=[])
    points = []
    for events, cs in contestants:
        rows = R.summarize(cs, f"set_{events}")
        for r in rows:
            r["rows"] = datas[events].missing
            r["rows_per_s"] = round(rows_per_second(r["rows"], r["median_s"]))
        R.print_table(f"backfill at {events:,} events (PostgreSQL)", rows, "set")
        by = {r["key"].rsplit("_", 1)[0]: r for r in rows}
        points.append({"events": events, "missing_rows": datas[events].missing,
                       "set_rows_per_s": by["set"]["rows_per_s"],
                       "strata_rows_per_s": by["strata"]["rows_per_s"],
                       "strata_peak_rss_kib": max((v for v in rss.get(f"strata_{events}", [])
                                                   if v), default=None),
                       "rows": rows})
        s.psql("postgres", f'DROP DATABASE IF EXISTS "evm_template_{events}"')
    main = {r["key"]: r for r in pg["result"]["rows"]}
    points.append({"events": EVENTS, "missing_rows": pg["data"].missing,
                   "set_rows_per_s": main["set"]["rows_per_s"],
                   "strata_rows_per_s": main["strata"]["rows_per_s"],
                   "strata2_rows_per_s": main["strata2"]["rows_per_s"],
                   "strata_peak_rss_kib": pg["peak_rss_kib"].get("strata"),
                   "from": "the main PostgreSQL measurement"})
    return {"rounds": rounds, "points": points}


def bench_memory(R, ctx, tools, work, use_cli, pg, sizes):
    """Peak memory of one strata run (2 workers, PostgreSQL) at 1,000,000 events, against the
    100,000-event runs above. With --quick: 1 worker at 10,000 against 100,000 events instead."""
    s = ctx.servers
    small = pg["peak_rss_kib"].get("strata2")
    target = "peak memory within 20% between 100,000 and 1,000,000 events"
    if ctx.args.quick and sizes.get("points"):
        low = sizes["points"][0]
        a, b = low["strata_peak_rss_kib"], pg["peak_rss_kib"].get("strata")
        growth = (b - a) / a if a and b else None
        R.log(f"\n== backfill memory (--quick): 1,000,000-event run skipped; peak memory "
              f"{a} KiB at {low['events']:,} events, {b} KiB at {EVENTS:,} (1 worker)")
        return {"targets": [{
            "target": target + f" (--quick: 1,000,000-event run skipped; {low['events']:,} vs "
                               f"{EVENTS:,} events, 1 worker, instead)",
            "measured": (f"{a:,} KiB vs {b:,} KiB ({growth:+.1%})" if growth is not None
                         else "unknown"),
            "met": growth is not None and abs(growth) <= MEMORY_MAX_GROWTH}],
            "result": {"quick_proxy": True, "skipped_1m": "--quick",
                       "events_small": low["events"], "peak_rss_kib_small": a,
                       "peak_rss_kib_100k": b, "workers": 1}}
    if getattr(ctx.args, "skip_1m", False):
        return {"targets": [{"target": target, "measured": "not measured (--skip-1m)",
                             "met": None}],
                "result": {"peak_rss_kib_100k": small}}
    R.log(f"\n== backfill memory: generating {EVENTS_LARGE:,} events (PostgreSQL)")
    data = pg_template(R, ctx, tools, "evm_large", EVENTS_LARGE)
    rss_file = str(work / "rss_pg_large")
    argv = strata_command(R, use_cli, s.pg_url("evm_large"), 2, False, rss_file).argv(
        dict(ctx.values, **tools))
    R.log(f"  {data.missing:,} missing rows; running {' '.join(argv[5:])}")
    started = time.perf_counter()
    R.run_checked(argv, "strata at 1,000,000 events")
    seconds = time.perf_counter() - started
    n = pg_metric_rows(s, "evm_large")
    if n != data.existing + data.missing:
        raise R.BenchError(f"1,000,000 events: {n} metric rows, expected "
                           f"{data.existing + data.missing}")
    large = read_rss(rss_file)
    s.psql("postgres", 'DROP DATABASE IF EXISTS "evm_large"')
    growth = (large - small) / small if small and large else None
    R.log(f"  {seconds:.1f} s, {rows_per_second(data.missing, seconds):,.0f} rows/s, peak "
          f"{large} KiB (100,000 events: {small} KiB)")
    return {
        "targets": [{"target": "peak memory within 20% between 100,000 and 1,000,000 events",
                     "measured": (f"{small:,} KiB vs {large:,} KiB ({growth:+.1%})"
                                  if growth is not None else "unknown"),
                     "met": growth is not None and abs(growth) <= MEMORY_MAX_GROWTH}],
        "result": {"peak_rss_kib_100k": small, "peak_rss_kib_1m": large,
                   "seconds_1m": round(seconds, 1), "missing_rows_1m": data.missing,
                   "rows_per_s_1m": round(rows_per_second(data.missing, seconds))},
    }


# ----------------------------------------------------------------------------------------------
# Running alone.


def main(argv):
    global EVENTS, EVENTS_LARGE, PER_ROW_EVENTS
    p = argparse.ArgumentParser(prog="bench/backfill_bench.py", description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--build-dir", default=str(REPO / "build-bench"))
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--skip-1m", action="store_true", help="skip the 1,000,000-event memory run")
    p.add_argument("--out", help="also write the result JSON to this file")
    p.add_argument("--events", type=int, default=EVENTS, help="events (smoke tests: fewer)")
    p.add_argument("--events-large", type=int, default=EVENTS_LARGE)
    p.add_argument("--engine", action="append", choices=("postgres", "mariadb"),
                   help="only this engine (repeatable; the 1M memory run needs postgres)")
    args = p.parse_args(argv)
    EVENTS, EVENTS_LARGE = args.events, args.events_large
    PER_ROW_EVENTS = min(PER_ROW_EVENTS, EVENTS)
    R = bench_run_module()
    build_dir = Path(args.build_dir).resolve()
    if not args.no_build and "STRATA_BENCH_BUILT" not in os.environ:
        R.log(f"building in {build_dir}")
        R.run_checked(["cmake", "-S", str(REPO), "-B", str(build_dir), "-G", "Ninja",
                       "-DCMAKE_BUILD_TYPE=Release", "-DSTRATA_WERROR=OFF"], "cmake")
        R.run_checked(["ninja", "-C", str(build_dir), "-j2", "strata_events_generate",
                       "strata_backfill_driver"], "ninja")
    if "STRATA_TEST_POSTGRES_URL" not in os.environ:
        os.environ["STRATA_BENCH_BUILT"] = "1"
        os.environ.setdefault("STRATA_SERVERS_DURABLE", "1")  # production durability
        with_servers = str(REPO / "tests" / "with-servers")
        os.execv(with_servers, [with_servers, sys.executable, str(Path(__file__).resolve())] +
                 argv)

    class Args:
        quick = False
        reps = args.rounds
        skip_1m = args.skip_1m
        backfill_engines = tuple(args.engine or ("postgres", "mariadb"))

    work = Path(tempfile.mkdtemp(prefix="strata-backfill-bench.", dir=R.work_base()))
    try:
        ctx = R.Context(Args(), work, build_dir)
        R.log(f"machine: {os.cpu_count()} CPUs, load average {R.loadavg()}")
        result = bench_backfill(ctx)
    except R.BenchError as e:
        R.log(f"backfill_bench: error: {e}")
        return 1
    finally:
        subprocess.run(["rm", "-rf", str(work)])
    text = json.dumps(result, indent=2, default=lambda o: o.__dict__)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
