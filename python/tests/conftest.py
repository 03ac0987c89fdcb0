"""Shared fixtures: the CLI binary, contact data, a local Spark session."""

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_path() -> Path:
    env = os.environ.get("CONTACTCLEAN_BIN")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "contactclean"


@pytest.fixture(scope="session")
def cli():
    path = cli_path()
    if not path.exists():
        pytest.fail(f"the contactclean binary is not built: {path} (cargo build, or set CONTACTCLEAN_BIN)")

    def run(*args, input_path=None):
        cmd = [str(path), *args, "--quiet"]
        if input_path is not None:
            cmd.append(str(input_path))
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(f"{cmd}: exit {r.returncode}: {r.stderr}")
        return r.stdout

    return run


def read_csv_text(text: str):
    """Rows of a CSV as lists of strings (header first)."""
    return list(csv.reader(io.StringIO(text)))


def table_of(path: Path) -> pa.Table:
    """A CSV file as an all-string Arrow table (empty cells as "", as the CLI reads them)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    cols = {h: pa.array([r[i] if i < len(r) else "" for r in body], pa.string()) for i, h in enumerate(header)}
    return pa.table(cols)


def rows_of(table) -> list:
    """An Arrow table or batch as the rows of a CSV (header first, nulls as "")."""
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    data = table.to_pydict()
    names = table.column_names
    out = [names]
    for i in range(table.num_rows):
        out.append(["" if data[n][i] is None else str(data[n][i]) for n in names])
    return out


@pytest.fixture(scope="session")
def contacts(tmp_path_factory) -> Path:
    """3,000 rows from the repository's generator (about 10% duplicates, 10% invalid phones)."""
    out = tmp_path_factory.mktemp("data") / "contacts.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_contacts.py"), "--rows", "3000", "--seed", "7", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out


FIXTURES = ["sample.csv", "dedupe.csv", "check.csv", "phones.csv", "emails.csv"]


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark tests need Java (java is not on PATH and JAVA_HOME is unset)")
    pyspark = pytest.importorskip("pyspark")
    # The workers must run this interpreter: it has the wheel.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("contactclean-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
