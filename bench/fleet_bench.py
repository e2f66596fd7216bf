#!/usr/bin/env python3
"""Fleet benchmark (docs/fleets.md): 20 migrations onto 100 PostgreSQL databases.

Usage: bench/fleet_bench.py [--strata PATH] [--databases N] [--migrations M] [--parallel P]
                             [--repeat R] [--modes fleet,xargs,loop] [--env-file FILE]...

Needs STRATA_TEST_POSTGRES_URL (an admin URL, e.g. postgresql://postgres@127.0.0.1:55432/postgres)
and psql. Creates N scratch databases (untimed), then, in one run and on the same databases,
applies the same M migrations three ways, each into its own history table and tables (-p mode=…,
--table), so that every way starts from an empty history on every database:

  fleet   strata migrate --targets FILE --all-targets --parallel P   (one process)
  loop    a shell loop of single-target strata migrate --url URL     (N processes, one at a time)
  xargs   xargs -P P of single-target strata migrate --url URL       (N processes, P at a time)

For each: wall time, ratio to the fleet, peak memory of the largest process (/usr/bin/time -v,
"Maximum resident set size"; for the loop and xargs, of one strata process, the largest) and
the most connections strata held at once on the benchmark's databases (pg_stat_activity polled
every 20 ms). Drops the databases at the end. Prints a table and one JSON line per server.

--repeat R runs the ways R times, rotating their order each round (fleet, xargs, loop; then
xargs, loop, fleet; …), each round on fresh history tables, and reports each way's median: on
a shared machine the load changes from minute to minute, and a single run in a fixed order
charges whatever else runs at the time to whichever way runs then. --env-file FILE (repeatable)
takes STRATA_TEST_POSTGRES_URL from a file of NAME=VALUE lines instead of the environment,
one server per file, e.g. the test servers' (fsync off) and the durable servers' (fsync and
synchronous_commit on, as production runs; `STRATA_SERVERS_DURABLE=1 tests/with-servers` starts
such a pair): each server is measured in turn and labelled with its fsync and
synchronous_commit settings. The load average (os.getloadavg) before and after
each way is recorded too.
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


def psql_value(admin_url, sql):
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", admin_url, "-c", sql], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()


def env_file_url(path):
    """STRATA_TEST_POSTGRES_URL from a file of NAME=VALUE lines (as tests/with-servers writes)."""
    with open(path) as f:
        for line in f:
            name, _, value = line.strip().partition("=")
            if name == "STRATA_TEST_POSTGRES_URL":
                return value
    sys.exit(f"{path}: no STRATA_TEST_POSTGRES_URL line")


def database_url(admin_url, name):
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


class ConnectionPoller(threading.Thread):
    """The largest number of strata connections (application_name strata…) to the benchmark's
    databases seen at once (other strata processes on the same server are not counted)."""

    def __init__(self, admin_url, database_prefix):
        super().__init__(daemon=True)
        self.admin_url = admin_url
        self.database_prefix = database_prefix
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        query = ("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'strata%' "
                 f"AND datname LIKE '{self.database_prefix}%' AND pid <> pg_backend_pid();")
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


def timed(command, admin_url, database_prefix, env):
    """Runs a shell command; returns (seconds, peak RSS in KiB of any strata process, peak
    connections)."""
    poller = ConnectionPoller(admin_url, database_prefix)
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


def measure(args, strata, work, admin_url, env):
    """Every way --repeat times on --databases fresh databases of the server at `admin_url`;
    returns the JSON document of the run."""
    fsync = psql_value(admin_url, "SHOW fsync")
    synchronous_commit = psql_value(admin_url, "SHOW synchronous_commit")
    prefix = f"strata_fleet_bench_{os.getpid()}_"
    names = [f"{prefix}{i:03}" for i in range(args.databases)]
    urls = [database_url(admin_url, n) for n in names]
    with open(os.path.join(work, "targets.txt"), "w") as f:
        f.write("\n".join(urls) + "\n")
    with open(os.path.join(work, "urls.txt"), "w") as f:
        f.write("\n".join(urls) + "\n")
    for name in names:
        psql(admin_url, f'CREATE DATABASE "{name}"')
    try:
        single = (f"/usr/bin/time -v {strata} -C {work} migrate --locations migrations "
                  f"-p mode={{mode}} --table hist_{{mode}} --url")
        commands = {
            "fleet": (f"/usr/bin/time -v {strata} -C {work} migrate --targets targets.txt "
                      f"--all-targets --parallel {args.parallel} --locations migrations "
                      f"-p mode={{mode}} --table hist_{{mode}} > /dev/null"),
            "xargs": (f"xargs -P {args.parallel} -I URL {single} URL "
                      f"< {work}/urls.txt > /dev/null"),
            "loop": (f"while read -r url; do {single} \"$url\" > /dev/null "
                     f"|| exit 1; done < {work}/urls.txt"),
        }
        modes = [m for m in commands if m in args.modes.split(",")]
        runs = {mode: [] for mode in modes}
        for round_no in range(args.repeat):
            order = modes[round_no % len(modes):] + modes[:round_no % len(modes)]
            for mode in order:
                # Its own history table and tables each round: every way starts from an empty
                # history on every database.
                tag = f"{mode}{round_no}"
                load_before = os.getloadavg()[0]
                seconds, rss, peak = timed(commands[mode].format(mode=tag), admin_url, prefix,
                                           env)
                runs[mode].append({"seconds": round(seconds, 2), "peak_rss_kib": rss,
                                   "peak_connections": peak,
                                   "load_before": round(load_before, 2),
                                   "load_after": round(os.getloadavg()[0], 2)})
        results = {}
        for mode, measured in runs.items():
            times = sorted(r["seconds"] for r in measured)
            results[mode] = {"seconds": times[len(times) // 2],
                             "peak_rss_kib": max(r["peak_rss_kib"] for r in measured),
                             "peak_connections": max(r["peak_connections"] for r in measured),
                             "runs": measured}
        return {"server": {"fsync": fsync, "synchronous_commit": synchronous_commit},
                "databases": args.databases, "migrations": args.migrations,
                "parallel": args.parallel, "repeat": args.repeat, "results": results}
    finally:
        for name in names:
            psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(doc):
    server = doc["server"]
    print(f"{doc['migrations']} migrations onto {doc['databases']} PostgreSQL databases, "
          f"--parallel {doc['parallel']}, fsync={server['fsync']} "
          f"synchronous_commit={server['synchronous_commit']}, median of {doc['repeat']}")
    print(f"{'mode':8} {'seconds':>8} {'x fleet':>8} {'peak RSS MiB':>13} {'max conns':>10}  "
          f"runs (s)  load")
    results = doc["results"]
    base = results["fleet"]["seconds"] if "fleet" in results else None
    for mode, r in results.items():
        ratio = f"{r['seconds'] / base:8.2f}" if base else f"{'-':>8}"
        runs = " ".join(f"{x['seconds']:.2f}" for x in r["runs"])
        loads = " ".join(f"{x['load_before']:.1f}" for x in r["runs"])
        print(f"{mode:8} {r['seconds']:8.2f} {ratio} {r['peak_rss_kib'] / 1024:13.1f} "
              f"{r['peak_connections']:10}  {runs}  {loads}")
    print(json.dumps(doc), flush=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", default=os.path.join(here, "..", "build", "cli", "strata"))
    parser.add_argument("--databases", type=int, default=100)
    parser.add_argument("--migrations", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each way, in rotating order; the median is reported")
    parser.add_argument("--modes", default="fleet,xargs,loop",
                        help="the ways to measure, comma-separated (fleet, xargs, loop)")
    parser.add_argument("--env-file", action="append", default=[],
                        help="take STRATA_TEST_POSTGRES_URL from this NAME=VALUE file "
                             "(repeatable: one server each, measured in turn)")
    args = parser.parse_args()
    if args.env_file:
        admin_urls = [env_file_url(path) for path in args.env_file]
    else:
        admin_url = os.environ.get("STRATA_TEST_POSTGRES_URL")
        if not admin_url:
            sys.exit("STRATA_TEST_POSTGRES_URL is not set (tests/with-servers sets it)")
        admin_urls = [admin_url]
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
    env = dict(os.environ)
    try:
        for admin_url in admin_urls:
            report(measure(args, strata, work, admin_url, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
