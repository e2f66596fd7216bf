#!/usr/bin/env python3
"""The lint benchmark: `strata lint` over 1,000 migration files, offline (`--all`) and live
(pending migrations against a PostgreSQL database holding the tables they alter), against
`strata validate` on the same set, measured in the same rounds.

bench/run runs it as its `lint` benchmark (bench_lint(ctx), with squawk, the PostgreSQL lint
peer, as a baseline when `npm install squawk-cli` works, and a count of the catalog round trips
of a live lint). Standalone, standard library only:

    python3 bench/lint_bench.py [--strata build/cli/strata] [--files 1000] [--reps 5]
                                [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

--pg-url (default: $STRATA_TEST_POSTGRES_URL) is an admin URL: a scratch database
lint_bench_<pid> is created there for the live rounds and dropped afterwards; without one the
live rounds are skipped. Target (issue 18): offline lint of 1,000 files under 1 s wall.

Each file V<n>__change_<n>.sql holds what a real migration does: a CREATE TABLE and an index
on it (new: no finding), then on one of 50 existing tables an ALTER TABLE ADD COLUMN with a
lock_timeout, a CREATE INDEX (PG101), a foreign key without NOT VALID (PG102) and a keyed
UPDATE (PG116), so every file yields findings and the live run weighs 50 tables.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXISTING_TABLES = 50
TARGET_SECONDS = 1.0


def write_set(directory, count, tables=EXISTING_TABLES):
    directory.mkdir(parents=True)
    for n in range(1, count + 1):
        t = f"orders_{n % tables}"
        (directory / f"V{n}__change_{n}.sql").write_text(
            f"-- change {n}\n"
            f"CREATE TABLE bench_{n} (id bigint PRIMARY KEY, ref bigint, note text);\n"
            f"CREATE INDEX bench_{n}_ref ON bench_{n} (ref);\n"
            f"SET lock_timeout = '5s';\n"
            f"ALTER TABLE {t} ADD COLUMN c{n} integer;\n"
            f"CREATE INDEX {t}_c{n} ON {t} (c{n});\n"
            f"ALTER TABLE {t} ADD CONSTRAINT {t}_fk{n} FOREIGN KEY (c{n}) REFERENCES bench_{n} (id);\n"
            f"UPDATE {t} SET c{n} = 0 WHERE id = {n};\n")


def timed(cmd, cwd, env):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        sys.exit(f"lint_bench: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def psql(url, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                   capture_output=True)


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


# ---- bench/run's `lint` benchmark --------------------------------------------------------------

ROUNDS = (3, 10)  # (quick, full)
SQUAWK_SPEC = os.environ.get("STRATA_BENCH_SQUAWK", "squawk-cli@2.66.0")
# The round-trip count: a live lint of a small set (few tables) and of the benchmark's set.
SMALL_FILES, SMALL_TABLES = 10, 5


def install_squawk(work):
    """(path to squawk's Linux binary, version) or (None, why not). The npm launcher is a node
    script; timing the binary it starts keeps node's start-up out of squawk's figures."""
    prefix = Path(work) / "npm-squawk"
    try:
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix",
                               str(prefix), SQUAWK_SPEC], capture_output=True, text=True,
                              timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"`npm install {SQUAWK_SPEC}` could not run: {e}"
    binary = prefix / "node_modules" / "@squawk-cli" / "linux-x64" / "bin" / "squawk"
    if done.returncode != 0 or not binary.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()
        return None, f"`npm install {SQUAWK_SPEC}` failed: {tail[-1] if tail else 'no binary'}"
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
    return str(binary), version.stdout.strip()


def timed_sample(run, argv, ok_codes, cwd):
    """One run of argv as bench/run's timed_run measures it (wall clock, CPU of the process
    tree with wait4), accepting the exit codes that mean "findings" (lint: 3, squawk: 1)."""
    errlog = Path(cwd) / "stderr.log"
    with open(errlog, "wb") as err:  # a file, not a pipe: a full pipe would block the child
        start = time.perf_counter_ns()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = (time.perf_counter_ns() - start) / 1e9
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        tail = errlog.read_text(errors="replace")[-2000:]
        raise run.BenchError(f"exit {code}: {' '.join(argv)}\n{tail}")
    return run.Sample(wall, usage.ru_utime + usage.ru_stime)


def transactions(url):
    """Transactions run so far on url's database (pg_stat_database): every statement sent
    outside an explicit transaction is one."""
    out = subprocess.run(["psql", "-X", "-At", url, "-c",
                          "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                          "WHERE datname = current_database()"],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip())


def round_trips(run, strata, url, locations, cwd):
    """The statements one live lint sends to url's database: the change in its transaction
    count across the run, less what reading the count itself adds (measured the same way).
    A backend's counts are flushed when it exits, so each reading waits for that."""
    def settled():
        time.sleep(0.6)
        return transactions(url)
    first = settled()
    second = settled()
    reading = second - first
    timed_sample(run, [strata, "--url", url, "lint", "--locations", str(locations)], (0, 3), cwd)
    after = settled()
    return after - second - reading


def bench_lint(ctx):
    run = sys.modules["__main__"]
    name = "lint"
    rounds = ctx.args.reps or (ROUNDS[0] if ctx.args.quick else ROUNDS[1])
    files = 1000
    run.log(f"\n== lint: strata lint of {files:,} migration files, offline and live on "
            f"PostgreSQL, vs strata validate of the same set and squawk; {rounds} rounds")
    work = Path(ctx.work) / "lint"
    write_set(work / "migrations", files)
    write_set(work / "small", SMALL_FILES, SMALL_TABLES)
    s = ctx.servers
    db = "lint_bench"
    s.pg_fresh(db)
    s.psql(db, "".join(f"CREATE TABLE orders_{k} (id bigint PRIMARY KEY);"
                       for k in range(EXISTING_TABLES)) + "ANALYZE;")
    squawk, squawk_version = install_squawk(ctx.work)
    if squawk is None:
        run.log(f"  squawk left out: {squawk_version}")
    values = dict(ctx.values, PG_URL=s.pg_url(db), LINT=str(work), SQUAWK=squawk or "")
    commands = [
        ("validate-sqlite", "strata validate (SQLite)", ["{STRATA}", "--url",
         "sqlite:{LINT}/validate.db", "validate", "--locations", "{LINT}/migrations"], (0, 3)),
        ("lint-offline", "strata lint --all (offline)", ["{STRATA}", "lint", "--all",
         "--locations", "{LINT}/migrations"], (0, 3)),
        ("lint-live", "strata lint (live, PostgreSQL)", ["{STRATA}", "--url", "{PG_URL}", "lint",
         "--locations", "{LINT}/migrations"], (0, 3)),
        ("validate-pg", "strata validate (PostgreSQL)", ["{STRATA}", "--url", "{PG_URL}",
         "validate", "--locations", "{LINT}/migrations"], (0, 3)),
    ]
    if squawk:
        # squawk takes the files as arguments; exit 1 means it found something.
        argv = ["{SQUAWK}"] + [f"{{LINT}}/migrations/V{n}__change_{n}.sql"
                               for n in range(1, files + 1)]
        commands.append(("squawk", f"squawk {squawk_version.split()[-1]} (offline)", argv,
                         (0, 1)))
    contestants = []
    for key, label, tokens, codes in commands:
        c = run.Contestant(key, label, run.Command(tokens), baseline=key == "validate-sqlite")
        c.ok_codes = codes
        contestants.append(c)
    start_load = run.loadavg()
    for c in contestants:  # warm-up: page cache, catalogs
        timed_sample(run, c.command.argv(values), c.ok_codes, str(work))
    for r in range(rounds):
        order = contestants[r % len(contestants):] + contestants[:r % len(contestants)]
        for c in order:
            c.samples.append(timed_sample(run, c.command.argv(values), c.ok_codes, str(work)))
        run.log(f"  [{name}] round {r + 1}/{rounds}: " +
                ", ".join(f"{c.key} {c.samples[-1].wall:.3f}s" for c in contestants))
    rows = run.summarize(contestants, "validate-sqlite")
    if squawk:  # squawk's one-file-per-argument command line is long: show its shape
        squawk_row = run.row(rows, "squawk")
        squawk_row["command"] = "$SQUAWK $LINT/migrations/V1__change_1.sql … V1000__change_1000.sql"
    run.print_table(f"lint, {files:,} files: wall time per run", rows, "strata validate (SQLite)")

    small = round_trips(run, ctx.strata, s.pg_url(db), work / "small", str(work))
    large = round_trips(run, ctx.strata, s.pg_url(db), work / "migrations", str(work))
    offline = run.row(rows, "lint-offline")["median_s"]
    targets = [
        {"target": f"offline lint of {files:,} files under {TARGET_SECONDS:.0f} s wall",
         "measured": f"{offline * 1000:.0f} ms", "met": offline < TARGET_SECONDS},
        {"target": "live lint: no more than one catalog round trip per table",
         "measured": (f"{large} statements in all for {EXISTING_TABLES} tables, {small} for "
                      f"{SMALL_TABLES} (connection set-up, server version, history, one catalog "
                      f"query; pg_stat_database transactions)"),
         "met": large <= EXISTING_TABLES},
    ]
    run.log("")
    run.print_targets(targets)
    return {
        "title": f"lint of {files:,} migration files",
        "description": (
            f"Each generated file creates a table and its index (new: no finding), then on one "
            f"of {EXISTING_TABLES} existing tables adds a column under a lock_timeout, builds "
            f"an index without CONCURRENTLY, adds a foreign key without NOT VALID and runs a "
            f"keyed UPDATE, so every file has findings (strata exits 3, squawk 1). Offline, "
            f"strata lint --all parses every file (libpg_query); live, it reads the history and "
            f"the {EXISTING_TABLES} tables' sizes and the server version. The baseline is "
            f"strata validate of the same set (resolving and checksumming every file). squawk, "
            f"the PostgreSQL migration linter, lints the same files offline. The round trips "
            f"are the statements one live lint sends (the database's transaction count across "
            f"the run) for {SMALL_FILES} files over {SMALL_TABLES} tables and for the "
            f"benchmark's set."),
        "rounds": rounds, "warmup": "one run of each command",
        "baseline": "validate-sqlite",
        "rows": rows, "targets": targets,
        "peers": {"squawk": squawk_version},
        "round_trips": {f"{SMALL_TABLES} tables": small, f"{EXISTING_TABLES} tables": large},
        "loadavg": {"start": start_load, "end": run.loadavg()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", default=str(REPO / "build" / "cli" / "strata"))
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--pg-url", default=os.environ.get("STRATA_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    strata = str(Path(args.strata).resolve())
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRATA_")}
    work = Path(tempfile.mkdtemp(prefix="strata_lint_bench_", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    database = f"lint_bench_{os.getpid()}"
    try:
        migrations = work / "migrations"
        write_set(migrations, args.files)
        sqlite_url = f"sqlite:{work / 'validate.db'}"
        commands = {
            "lint --all (offline)": [strata, "lint", "--all", "--locations", str(migrations)],
            "validate (SQLite)": [strata, "--url", sqlite_url, "validate", "--locations",
                                  str(migrations)],
        }
        if args.pg_url:
            psql(args.pg_url, f"CREATE DATABASE {database}")
            live_url = with_database(args.pg_url, database)
            tables = "".join(
                f"CREATE TABLE orders_{k} (id bigint PRIMARY KEY);" for k in range(EXISTING_TABLES))
            psql(live_url, tables)
            commands["lint (live, PostgreSQL)"] = [strata, "--url", live_url, "lint",
                                                   "--locations", str(migrations)]
            commands["validate (PostgreSQL)"] = [strata, "--url", live_url, "validate",
                                                 "--locations", str(migrations)]
        for cmd in commands.values():  # warm-up: page cache, catalogs
            timed(cmd, work, env)
        times = {name: [] for name in commands}
        for _ in range(args.reps):
            for name, cmd in commands.items():
                times[name].append(timed(cmd, work, env))
        base = statistics.median(times["validate (SQLite)"])
        print(f"{args.files} files, {args.reps} rounds (median, min-max wall seconds)")
        for name, values in times.items():
            med = statistics.median(values)
            print(f"  {name:28} {med:7.3f}  ({min(values):.3f}-{max(values):.3f})  "
                  f"{med / base:5.2f}x validate (SQLite)")
        offline = statistics.median(times["lint --all (offline)"])
        verdict = "met" if offline < TARGET_SECONDS else "NOT met"
        print(f"target: offline lint of {args.files} files under {TARGET_SECONDS:.0f} s: {verdict} "
              f"({offline:.3f} s)")
    finally:
        if args.pg_url:
            subprocess.run(["psql", "-X", "-q", args.pg_url, "-c",
                            f"DROP DATABASE IF EXISTS {database}"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
