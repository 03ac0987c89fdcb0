"""contactclean on PySpark DataFrames.

- :func:`clean`: ``DataFrame.mapInArrow`` over :func:`contactclean.clean_batch`: the same columns
  and values ``contactclean normalize`` writes, ``flags`` included.
- :func:`merge_groups`: duplicate groups. ``method="spark"`` finds connected components inside
  Spark (iterative min-label propagation on DataFrames, checkpointed every iteration);
  ``method="collect"`` collects the (row, key) pairs to the driver and runs the Rust union-find
  (:func:`contactclean.link_keys`). Both give the same groups, numbered like
  ``contactclean dedupe``'s.

Spark's Python workers must run an interpreter that has this package (``PYSPARK_PYTHON``).
No Rust object is ever pickled: the functions shipped to the workers import the module there.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from . import _native

ROW = "__contactclean_row"


def _arrow_schema(df: Any) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema)


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def clean(
    df: Any,
    phone_columns: Optional[Sequence[str]] = None,
    email_columns: Optional[Sequence[str]] = None,
    default_region: Optional[str] = None,
    require_mobile: bool = False,
    flags_column: str = "flags",
) -> Any:
    """``df`` cleaned as ``contactclean normalize`` cleans a CSV file: contact columns rewritten,
    the flags column recomputed or appended. Options as :func:`contactclean.clean_batch`; a
    missing column or a bad option raises here, before any job runs."""
    opts = dict(
        phone_columns=list(phone_columns) if phone_columns else None,
        email_columns=list(email_columns) if email_columns else None,
        default_region=default_region,
        require_mobile=require_mobile,
        flags_column=flags_column,
    )
    empty = pa.RecordBatch.from_pylist([], schema=_arrow_schema(df))
    out_schema = _native.clean_batch(empty, **opts).schema

    def run(batches):  # runs on the workers
        from contactclean import _native as native

        for b in batches:
            out = native.clean_batch(b, **opts)
            if out.schema != out_schema:
                out = out.cast(out_schema)
            yield out

    return df.mapInArrow(run, _spark_schema(out_schema))


def _numbered(df: Any) -> Any:
    """``df`` with a 0-based row number in input order, materialised so it is computed once."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    w = Window.orderBy(F.monotonically_increasing_id())
    return df.withColumn(ROW, (F.row_number().over(w) - 1).cast("long")).localCheckpoint()


def _edges(numbered: Any, columns: Sequence[str], opts: Dict[str, Any], max_key_rows: int) -> Any:
    """(row, key) for every key on 2 to ``max_key_rows`` rows: a key on one row links nothing,
    and a key on more (an office switchboard, ``noreply@``) must not merge thousands of people."""
    from pyspark.sql import functions as F

    names = list(columns)

    def keys(batches):  # runs on the workers
        from contactclean import _native as native

        for b in batches:
            data = pa.RecordBatch.from_arrays(
                [b.column(n) for n in names], names=names
            )
            k = native.merge_keys(data, **opts)
            yield pa.RecordBatch.from_arrays([b.column(ROW), k], names=["row", "keys"])

    edges = numbered.mapInArrow(keys, "row long, keys array<string>").select(
        "row", F.explode("keys").alias("key")
    )
    counts = edges.groupBy("key").agg(F.count(F.lit(1)).alias("n"))
    kept = counts.filter((F.col("n") >= 2) & (F.col("n") <= max_key_rows)).select("key")
    return edges.join(kept, "key").select("row", "key").localCheckpoint()


def merge_groups(
    df: Any,
    id_column: Optional[str] = None,
    phone_columns: Optional[Sequence[str]] = None,
    email_columns: Optional[Sequence[str]] = None,
    default_region: Optional[str] = None,
    method: str = "spark",
    max_key_rows: int = 1000,
    max_iterations: int = 100,
    stats: Optional[Dict[str, Any]] = None,
) -> Any:
    """Duplicate groups of ``df``: a DataFrame of (``id``, ``group``) for every row in a group of
    two or more. ``id`` is ``id_column``'s value, or the 1-based row number (the CLI's ``row``);
    groups are numbered from 1 by their first row, as ``contactclean dedupe`` numbers them.

    Rows are linked by a shared valid phone or normalised email (the CLI's keys, from
    :func:`contactclean.merge_keys`), transitively. Keys carried by more than ``max_key_rows``
    rows are ignored. ``method="spark"``: connected components in Spark; ``"collect"``: the
    keys are collected to the driver and linked by the Rust union-find. ``stats``, if given, is
    filled with ``iterations`` (spark), ``edges`` and ``method``.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import Window

    if method not in ("spark", "collect"):
        raise ValueError(f"method must be 'spark' or 'collect', not {method!r}")
    if id_column is not None and id_column not in df.columns:
        raise ValueError(
            f"--id-column {id_column!r}: no such column (the header has: {', '.join(df.columns)})"
        )
    opts = dict(
        phone_columns=list(phone_columns) if phone_columns else None,
        email_columns=list(email_columns) if email_columns else None,
        default_region=default_region,
    )
    # Options are checked on the driver, with the library's messages.
    _native.merge_keys(pa.RecordBatch.from_pylist([], schema=_arrow_schema(df)), **opts)
    numbered = _numbered(df)
    edges = _edges(numbered, df.columns, opts, max_key_rows)
    stats = stats if stats is not None else {}
    stats["method"] = method
    if method == "spark":
        labels = _components(edges, max_iterations, stats)
    else:
        labels = _collect_and_link(numbered, edges, stats)
    ranked = labels.withColumn("group", F.dense_rank().over(Window.orderBy("label")))
    ident = F.col(id_column) if id_column else (F.col(ROW) + 1)
    out = (
        numbered.join(ranked, numbered[ROW] == ranked["row"])
        .select(ident.alias("id"), F.col("group").cast("long").alias("group"), F.col(ROW))
        .orderBy(ROW)
        .drop(ROW)
    )
    return out


def _components(edges: Any, max_iterations: int, stats: Dict[str, Any]) -> Any:
    """Connected components of the row–key graph by min-label propagation: each key takes the
    smallest label of its rows, each row the smallest label of its keys, until nothing changes.
    A component's label is its first row. Each iteration is checkpointed so the plan does not
    grow with the iterations."""
    from pyspark.sql import functions as F

    labels = edges.select("row").distinct().withColumn("label", F.col("row")).localCheckpoint()
    stats["edges"] = edges.count()
    iterations = 0
    while True:
        iterations += 1
        if iterations > max_iterations:
            raise RuntimeError(
                f"connected components did not converge in {max_iterations} iterations"
            )
        key_label = edges.join(labels, "row").groupBy("key").agg(F.min("label").alias("kl"))
        new = (
            edges.join(key_label, "key")
            .groupBy("row")
            .agg(F.min("kl").alias("label"))
            .localCheckpoint()
        )
        changed = (
            new.join(labels.withColumnRenamed("label", "old"), "row")
            .filter(F.col("label") != F.col("old"))
            .limit(1)
            .count()
        )
        labels = new
        if changed == 0:
            break
    stats["iterations"] = iterations
    return labels


def _collect_and_link(numbered: Any, edges: Any, stats: Dict[str, Any]) -> Any:
    """The (row, key) pairs collected to the driver and linked by the Rust union-find."""
    rows = numbered.count()
    collected = edges.toArrow() if hasattr(edges, "toArrow") else pa.Table.from_pandas(
        edges.toPandas(), preserve_index=False
    )
    stats["edges"] = collected.num_rows
    groups = _native.link_keys(collected.column("row"), collected.column("key"), rows)
    mask = groups.is_valid()
    row_ids = pc.filter(pa.array(range(rows), pa.int64()), mask)
    labels = pc.filter(groups, mask)
    table = pa.table({"row": row_ids, "label": labels})
    return numbered.sparkSession.createDataFrame(table.to_pandas(), "row long, label long")
