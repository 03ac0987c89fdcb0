#!/usr/bin/env python3
"""Benchmark the Python package (docs/python.md) against what people use today.

Usage (in a virtualenv with the release wheel, pyspark, pandas and phonenumbers):
    maturin build --release -m python/Cargo.toml --out dist && pip install dist/*.whl
    pip install pandas phonenumbers pyspark
    python3 scripts/bench_python.py                     # 1,000,000 rows
    python3 scripts/bench_python.py --rows 20000        # smoke test

1. `normalize_phones` over 1M non-empty phone cells of the generator's data, against
   scripts/pandas_baseline.py's `clean_phone` (phonenumbers) in a pandas `apply` on the same
   cells, in this process, on one core. phonenumbers runs on the first --pandas-cells cells
   (its per-cell time does not depend on how many) and its total is scaled to all cells.
2. `contactclean.spark.clean` on the rows against an identity `mapInArrow` in the same
   SparkSession (`local[2]`), both written to Spark's `noop` sink, warm, median of --rounds.
3. `contactclean.spark.merge_groups` (both methods): time, iterations, and whether the groups
   equal `contactclean dedupe`'s on the same file (needs target/release/contactclean or --cli).
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def data_file(rows):
    path = os.path.join(ROOT, "bench-data", f"contacts-{rows}.csv")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_contacts.py"),
                        "--rows", str(rows), "--seed", "42", "--out", path], check=True)
    return path


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def bench_cells(path, cells_wanted, pandas_cells):
    import pandas as pd
    import pyarrow as pa
    import contactclean
    from pandas_baseline import clean_phone

    cells = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for c in ("Phone", "Mobile", "WhatsApp"):
                if row[c]:
                    cells.append(row[c])
            if len(cells) >= cells_wanted:
                break
    cells = cells[:cells_wanted]
    arr = pa.array(cells, pa.string())
    contactclean.normalize_phones(arr[:1000])  # metadata loaded, pages warm
    rust = min(timed(lambda: contactclean.normalize_phones(arr))[0] for _ in range(3))
    series = pd.Series(cells[:pandas_cells])
    py, _ = timed(lambda: series.apply(clean_phone))
    py_total = py * len(cells) / len(series)
    print(f"normalize_phones: {len(cells):,} cells in {rust:.2f} s ({rust / len(cells) * 1e6:.2f} us/cell)")
    print(f"pandas apply + phonenumbers: {len(series):,} cells in {py:.2f} s "
          f"({py / len(series) * 1e6:.1f} us/cell; {py_total:.1f} s for all)")
    print(f"  ratio: {py_total / rust:.0f}x")


def bench_spark(path, rounds, cli):
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from contactclean import spark as ccs

    t0 = time.perf_counter()
    spark = (SparkSession.builder.master("local[2]").appName("contactclean-bench")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8")
             .config("spark.driver.memory", "3g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    print(f"spark start: {time.perf_counter() - t0:.1f} s")
    # In file order for merge_groups (row numbers are the CLI's); spread over the cores for clean.
    base = spark.read.csv(path, header=True).cache()
    df = base.repartition(4).cache()
    n = df.count() + 0 * base.count()

    def run(frame):
        return timed(lambda: frame.write.format("noop").mode("overwrite").save())[0]

    identity = df.mapInArrow(lambda it: it, df.schema)
    cleaned = ccs.clean(df)
    print(f"first runs: identity {run(identity):.2f} s, clean {run(cleaned):.2f} s")
    ids, cls = [], []
    for _ in range(rounds):
        ids.append(run(identity))
        cls.append(run(cleaned))
    mi, mc = statistics.median(ids), statistics.median(cls)
    print(f"{n:,} rows, warm medians of {rounds}: identity mapInArrow {mi:.2f} s, "
          f"spark.clean {mc:.2f} s ({mc / mi:.2f}x)")

    expected = None
    if cli and os.path.exists(cli):
        out = subprocess.run([cli, "dedupe", "--quiet", path], capture_output=True, text=True, check=True).stdout
        rows = list(csv.reader(out.splitlines()))
        g, r = rows[0].index("group"), rows[0].index("row")
        expected = sorted((int(x[r]), int(x[g])) for x in rows[1:])
    for method in ("collect", "spark"):
        stats = {}
        t, got = timed(lambda: sorted(tuple(x) for x in ccs.merge_groups(base, method=method, stats=stats).collect()))
        same = "not compared" if expected is None else ("equal to the CLI's" if got == expected else "DIFFERENT from the CLI's")
        print(f"merge_groups method={method}: {t:.1f} s, {len(set(x[1] for x in got)):,} groups, "
              f"{len(got):,} rows, stats {stats}: {same}")
    spark.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cells", type=int, default=1_000_000)
    ap.add_argument("--pandas-cells", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cli", default=os.path.join(ROOT, "target", "release", "contactclean"))
    ap.add_argument("--skip-spark", action="store_true")
    ap.add_argument("--skip-cells", action="store_true")
    a = ap.parse_args()
    path = data_file(a.rows)
    if not a.skip_cells:
        bench_cells(path, a.cells, a.pandas_cells)
    if not a.skip_spark:
        bench_spark(path, a.rounds, a.cli)


if __name__ == "__main__":
    main()
