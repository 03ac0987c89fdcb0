#!/usr/bin/env python3
"""Benchmark contactclean against a plain CSV pass-through of the same file, in one run.

Usage:
    python3 scripts/bench.py                            # 1,000,000 rows, 3 rounds, -j 2
    python3 scripts/bench.py --rows 20000 --rounds 2    # smoke test (seconds)
    python3 scripts/bench.py --pandas --json bench-data/results.json

Builds the release binaries, generates bench-data/contacts-ROWS.csv with gen_contacts.py if it
is absent (seed 42), then runs every command once per round, in an order rotated each round,
output to /dev/null. The machine is shared and noisy, so what to read is the ratio of each
command's median wall time to the pass-through baseline's median measured in the same run.
`check` exits 1 when the data has invalid cells, which the generated data has: 0 and 1 pass.
With --pandas (needs `pip install pandas phonenumbers`) it also runs scripts/pandas_baseline.py
and `contactclean normalize --suggestions`, which do the same job.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
BUILT = [os.path.join(ROOT, "target", "release", "contactclean"),
         os.path.join(ROOT, "target", "release", "examples", "passthrough")]
SEED = 42


def run_once(argv, ok_codes):
    """Runs argv with stdout to /dev/null; returns (wall s, peak RSS MiB, user+sys CPU s).

    Linux carries the forking parent's (this script's) RSS into the child's ru_maxrss, so a
    reading is exact only above that floor, which main() measures with `true`."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode not in ok_codes:
            err.seek(0)
            sys.exit(f"{' '.join(argv)} exited {p.returncode}:\n{err.read().decode()[-2000:]}")
    # ru_maxrss is in KiB on Linux
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def dataset(rows):
    """The generated file for `rows`, made once (it is kept in the gitignored bench-data/)."""
    path = os.path.join(DATA, f"contacts-{rows}.csv")
    if not os.path.exists(path):
        os.makedirs(DATA, exist_ok=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_contacts.py"),
                        "--rows", str(rows), "--seed", str(SEED), "--out", path + ".tmp"],
                       check=True)
        os.replace(path + ".tmp", path)
        print(f"generated {path} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return path


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "nproc": os.cpu_count(), "mem_gib": round(mem / 2**20, 1),
            "loadavg_start": os.getloadavg()[0], "commit": commit}


def have_pandas():
    return subprocess.run([sys.executable, "-c", "import pandas, phonenumbers"],
                          capture_output=True).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="contactclean -j (default 2)")
    ap.add_argument("--json", metavar="FILE", help="also save the results as JSON")
    ap.add_argument("--pandas", action="store_true", help="also time pandas + phonenumbers")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    a = ap.parse_args()

    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--bins", "--example", "passthrough"],
                       cwd=ROOT, check=True)
    info = machine()  # the commit the binaries were built from
    # Run copies: another build in this work tree must not swap a binary in mid-run.
    os.makedirs(os.path.join(DATA, "bin"), exist_ok=True)
    CC, PASS = (shutil.copy2(b, os.path.join(DATA, "bin")) for b in BUILT)
    path, tiny = dataset(a.rows), dataset(10)
    size = os.path.getsize(path)
    with open(path, "rb") as f:  # into the page cache, so round 1 is not a disk benchmark
        while f.read(1 << 20):  # small reads: this script's RSS is the children's RSS floor
            pass

    j = ["-j", str(a.threads)]
    commands = {  # name -> (argv, accepted exit codes)
        "passthrough (baseline, 1 core)": ([PASS, path], {0}),
        f"normalize -j {a.threads}": ([CC, "normalize", "-q", *j, path], {0}),
        f"dedupe -j {a.threads}": ([CC, "dedupe", "-q", *j, path], {0}),
        f"check -j {a.threads}": ([CC, "check", "-q", *j, path], {0, 1}),
    }
    if a.pandas:
        if have_pandas():
            commands[f"normalize --suggestions -j {a.threads}"] = (
                [CC, "normalize", "-q", *j, "--suggestions", os.devnull, path], {0})
            commands["pandas + phonenumbers (1 core)"] = (
                [sys.executable, os.path.join(ROOT, "scripts", "pandas_baseline.py"), path,
                 "-o", os.devnull, "--suggestions", os.devnull], {0})
        else:
            print("--pandas: pandas or phonenumbers not importable, skipped", file=sys.stderr)

    floor = max(run_once(["true"], {0})[1] for _ in range(3))
    names = list(commands)
    samples = {n: [] for n in names}
    for r in range(a.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            samples[n].append(run_once(*commands[n]))
            print(f"round {r + 1}/{a.rounds}: {n}: {samples[n][-1][0]:.2f} s", file=sys.stderr)
    startup = [run_once([CC, "normalize", "-q", "-j", str(a.threads), tiny], {0}) for _ in range(20)]
    info["loadavg_end"] = os.getloadavg()[0]

    base = statistics.median(w for w, _, _ in samples[names[0]])
    results = []
    for n in names:
        walls = [w for w, _, _ in samples[n]]
        wall = statistics.median(walls)
        results.append({"command": n, "median_s": wall, "min_s": min(walls),
                        "cpu_s": statistics.median(c for _, _, c in samples[n]),
                        "rows_per_s": a.rows / wall, "mb_per_s": size / 1e6 / wall,
                        "peak_rss_mib": max(m for _, m, _ in samples[n]),
                        "x_baseline": wall / base, "samples_s": walls})
    for r in results:
        r["cpu_x_baseline"] = r["cpu_s"] / results[0]["cpu_s"]
    start_ms = statistics.median(w for w, _, _ in startup) * 1000

    print(f"\n{a.rows:,} rows, {size / 1e6:.1f} MB, {a.rounds} rounds, median wall time; "
          f"{info['date']}, {info['nproc']} cores ({info['cpu']}), commit {info['commit']}, "
          f"load {info['loadavg_start']:.2f} -> {info['loadavg_end']:.2f}\n")
    print("| command | median s | min s | CPU s | rows/s | MB/s | peak RSS MiB | × baseline "
          "| CPU × baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    def rss(mib):
        return f"≤ {floor:.0f}" if mib <= floor + 1 else f"{mib:.0f}"
    for r in results:
        print(f"| {r['command']} | {r['median_s']:.2f} | {r['min_s']:.2f} | {r['cpu_s']:.2f} | "
              f"{r['rows_per_s']:,.0f} | "
              f"{r['mb_per_s']:.1f} | {rss(r['peak_rss_mib'])} | {r['x_baseline']:.2f} | "
              f"{r['cpu_x_baseline']:.1f} |")
    print(f"| normalize, 10-row file (startup) | {start_ms / 1000:.3f} | | | | | "
          f"{rss(max(m for _, m, _ in startup))} | | |")
    print(f"\n(peak RSS readings ≤ {floor:.0f} MiB are the floor inherited from this script)")
    by_name = {r["command"]: r for r in results}
    if "pandas + phonenumbers (1 core)" in by_name:
        ratio = (by_name["pandas + phonenumbers (1 core)"]["median_s"]
                 / by_name[f"normalize --suggestions -j {a.threads}"]["median_s"])
        print(f"\ncontactclean normalize --suggestions is {ratio:.1f}× as fast as pandas + phonenumbers")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine": info, "rows": a.rows, "bytes": size, "rounds": a.rounds,
                       "threads": a.threads, "results": results, "rss_floor_mib": floor,
                       "startup_ms": start_ms}, f, indent=2)


if __name__ == "__main__":
    main()
