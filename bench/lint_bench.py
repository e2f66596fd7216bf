#!/usr/bin/env python3
"""The lint benchmark: `strata lint` over 1,000 migration files, offline (`--all`) and live
(pending migrations against a PostgreSQL database holding the tables they alter), against
`strata validate` on the same set, measured in the same rounds.

Standalone (not yet one of bench/run's benchmarks); standard library only:

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


def write_set(directory, count):
    directory.mkdir(parents=True)
    for n in range(1, count + 1):
        t = f"orders_{n % EXISTING_TABLES}"
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
