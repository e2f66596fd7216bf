#!/usr/bin/env python3
"""Fleet benchmark (docs/fleets.md): 20 migrations onto 100 PostgreSQL databases.

Usage: bench/fleet_bench.py [--strata PATH] [--databases N] [--migrations M] [--parallel P]

Needs STRATA_TEST_POSTGRES_URL (an admin URL, e.g. postgresql://postgres@127.0.0.1:55432/postgres)
and psql. Creates N scratch databases (untimed), then, in one run and on the same databases,
applies the same M migrations three ways, each into its own history table and tables (-p mode=…,
--table), so that every way starts from an empty history on every database:

  fleet   strata migrate --targets FILE --all-targets --parallel P   (one process)
  loop    a shell loop of single-target strata migrate --url URL     (N processes, one at a time)
  xargs   xargs -P P of single-target strata migrate --url URL       (N processes, P at a time)

For each: wall time, ratio to the fleet, peak memory of the largest process (/usr/bin/time -v,
"Maximum resident set size"; for the loop and xargs, of one strata process, the largest) and
the most connections strata held at once (pg_stat_activity polled every 20 ms). Drops the
databases at the end. Prints a table and one JSON line.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse


def psql(admin_url, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", admin_url, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def database_url(admin_url, name):
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


class ConnectionPoller(threading.Thread):
    """The largest number of strata connections (application_name strata…) seen at once."""

    def __init__(self, admin_url):
        super().__init__(daemon=True)
        self.admin_url = admin_url
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        query = ("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'strata%' "
                 "AND pid <> pg_backend_pid();")
        # One psql session reading queries from stdin: polling costs no connection setup.
        proc = subprocess.Popen(["psql", "-X", "-q", "-t", "-A", self.admin_url],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                bufsize=1)
        while not self.stop.is_set():
            proc.stdin.write(query + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline().strip()
            if line.isdigit():
                self.peak = max(self.peak, int(line))
            time.sleep(0.02)
        proc.stdin.close()
        proc.wait()


def timed(command, admin_url, env):
    """Runs a shell command; returns (seconds, peak RSS in KiB of any strata process, peak
    connections)."""
    poller = ConnectionPoller(admin_url)
    poller.start()
    time.sleep(0.1)
    start = time.monotonic()
    result = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    poller.stop.set()
    poller.join()
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {command}\n{result.stdout[-2000:]}"
                 f"{result.stderr[-2000:]}")
    rss = [int(m) for m in re.findall(r"Maximum resident set size \(kbytes\): (\d+)",
                                      result.stderr)]
    return seconds, max(rss) if rss else 0, poller.peak


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", default=os.path.join(here, "..", "build", "cli", "strata"))
    parser.add_argument("--databases", type=int, default=100)
    parser.add_argument("--migrations", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    admin_url = os.environ.get("STRATA_TEST_POSTGRES_URL")
    if not admin_url:
        sys.exit("STRATA_TEST_POSTGRES_URL is not set (tests/with-servers sets it)")
    work = tempfile.mkdtemp(prefix="strata_fleet_bench_")
    # A copy: a rebuild during the run must not swap the binary under the benchmark.
    strata = os.path.join(work, "strata")
    shutil.copy2(os.path.abspath(args.strata), strata)
    migrations = os.path.join(work, "migrations")
    os.makedirs(migrations)
    for i in range(1, args.migrations + 1):
        with open(os.path.join(migrations, f"V{i}__step_{i}.sql"), "w") as f:
            f.write(f"CREATE TABLE ${{mode}}_t{i} (id INTEGER PRIMARY KEY, note TEXT);\n"
                    f"INSERT INTO ${{mode}}_t{i} VALUES (1, 'one'), (2, 'two');\n"
                    f"CREATE INDEX ${{mode}}_t{i}_note ON ${{mode}}_t{i} (note);\n")
    names = [f"strata_fleet_bench_{os.getpid()}_{i:03}" for i in range(args.databases)]
    urls = [database_url(admin_url, n) for n in names]
    with open(os.path.join(work, "targets.txt"), "w") as f:
        f.write("\n".join(urls) + "\n")
    with open(os.path.join(work, "urls.txt"), "w") as f:
        f.write("\n".join(urls) + "\n")
    env = dict(os.environ)
    for name in names:
        psql(admin_url, f'CREATE DATABASE "{name}"')
    try:
        single = (f"/usr/bin/time -v {strata} -C {work} migrate --locations migrations "
                  f"-p mode={{mode}} --table hist_{{mode}} --url")
        commands = {
            "fleet": (f"/usr/bin/time -v {strata} -C {work} migrate --targets targets.txt "
                      f"--all-targets --parallel {args.parallel} --locations migrations "
                      f"-p mode=fleet --table hist_fleet > /dev/null"),
            "loop": (f"while read -r url; do {single.format(mode='loop')} \"$url\" > /dev/null "
                     f"|| exit 1; done < {work}/urls.txt"),
            "xargs": (f"xargs -P {args.parallel} -I URL {single.format(mode='xargs')} URL "
                      f"< {work}/urls.txt > /dev/null"),
        }
        results = {}
        for mode, command in commands.items():
            seconds, rss, peak = timed(command, admin_url, env)
            results[mode] = {"seconds": round(seconds, 2), "peak_rss_kib": rss,
                             "peak_connections": peak}
        fleet = results["fleet"]["seconds"]
        print(f"{args.migrations} migrations onto {args.databases} PostgreSQL databases, "
              f"--parallel {args.parallel}")
        print(f"{'mode':8} {'seconds':>8} {'x fleet':>8} {'peak RSS MiB':>13} {'max conns':>10}")
        for mode, r in results.items():
            print(f"{mode:8} {r['seconds']:8.2f} {r['seconds'] / fleet:8.2f} "
                  f"{r['peak_rss_kib'] / 1024:13.1f} {r['peak_connections']:10}")
        print(json.dumps({"databases": args.databases, "migrations": args.migrations,
                          "parallel": args.parallel, "results": results}))
    finally:
        for name in names:
            psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
