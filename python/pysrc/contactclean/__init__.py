"""contactclean: contact-list cleaning (phones to E.164, emails lower-cased, duplicates linked),
Arrow-native, over the same Rust library as the ``contactclean`` command line.

Every function takes Arrow data through the Arrow PyCapsule interface (pyarrow, Polars, DuckDB,
pandas ArrowDtype, Spark's ``mapInArrow`` batches, nanoarrow, arro3, ...) and returns pyarrow
objects. Rust does the work with the GIL released; no rule is implemented in Python.

- :func:`normalize_phones` / :func:`normalize_emails`: one column of cells in, a struct array out.
- :func:`clean_batch`: a batch (or table) exactly as ``contactclean normalize`` writes it.
- :func:`link`: group ids as ``contactclean dedupe`` numbers them.
- :func:`merge_keys` / :func:`link_keys`: the keys that link rows, and the union-find over them.
- :mod:`contactclean.spark`: ``clean`` and ``merge_groups`` for PySpark DataFrames.
"""

from ._native import (
    METADATA_VERSION,
    clean_batch,
    link,
    link_keys,
    merge_keys,
    normalize_emails,
    normalize_phones,
)

__all__ = [
    "METADATA_VERSION",
    "clean_batch",
    "link",
    "link_keys",
    "merge_keys",
    "normalize_emails",
    "normalize_phones",
]
