"""Type stubs for contactclean's native module (Rust, PyO3 + pyo3-arrow)."""

from typing import Optional, Protocol, Sequence, Union

import pyarrow as pa

class ArrowArrayExportable(Protocol):
    def __arrow_c_array__(self, requested_schema: object = None) -> tuple[object, object]: ...

class ArrowStreamExportable(Protocol):
    def __arrow_c_stream__(self, requested_schema: object = None) -> object: ...

ArrayLike = Union[ArrowArrayExportable, ArrowStreamExportable]
"""An Arrow array, chunked array or stream of strings (Utf8, LargeUtf8 or Utf8View)."""

METADATA_VERSION: str
"""The libphonenumber metadata release the phone rules use."""

def normalize_phones(
    array: ArrayLike,
    default_region: Optional[str] = None,
    require_mobile: bool = False,
) -> Union[pa.StructArray, pa.ChunkedArray]:
    """Normalise phone cells to E.164 with contactclean's rules.

    Returns one struct per cell (null for a null cell):
    ``e164`` (the cleaned value, ``;``-joined when the cell holds several numbers; null when
    the cell is empty or invalid), ``reason`` (the invalid reason, e.g.
    ``missing_country_code``; null when valid or empty), ``flags`` (every flag the CLI writes
    for the cell, without the ``COLUMN:`` label, e.g. ``extension=12;not_mobile``), ``outcome``
    (``empty``, ``valid``, ``fixed`` or ``invalid``).

    An array in gives an array out; a chunked array or stream gives a chunked array.
    ``default_region``: read national numbers as this region's (e.g. ``"GB"``), as
    ``--default-region``. ``require_mobile``: flag numbers that cannot receive messages.
    Raises ValueError for an unknown region, TypeError for a non-string array.
    """

def normalize_emails(array: ArrayLike) -> Union[pa.StructArray, pa.ChunkedArray]:
    """Normalise email cells (trimmed, ``mailto:`` removed, lower-cased when valid).

    Returns structs of ``email`` (null when empty or invalid), ``reason`` (``invalid_email``
    or null), ``flags`` and ``outcome``, as :func:`normalize_phones`.
    """

def clean_batch(
    batch: Union[ArrowArrayExportable, ArrowStreamExportable],
    phone_columns: Optional[Sequence[str]] = None,
    email_columns: Optional[Sequence[str]] = None,
    default_region: Optional[str] = None,
    require_mobile: bool = False,
    flags_column: str = "flags",
) -> Union[pa.RecordBatch, pa.Table]:
    """The batch as ``contactclean normalize`` writes it.

    Columns are detected from the names as the CLI detects them from a header, or named with
    ``phone_columns`` / ``email_columns`` (as ``--phone-column`` / ``--email-column``). Contact
    columns are cleaned (same type out as in), the flags column is recomputed in place or
    appended (``flags_column``, as ``--flags-column``); other columns pass through untouched.
    A RecordBatch gives a RecordBatch; a Table or stream gives a Table. Raises ValueError with
    the CLI's message for a missing column, a flags column that is a contact column, or a flags
    cell this tool did not write.
    """

def link(
    data: Union[ArrowArrayExportable, ArrowStreamExportable],
    phone_columns: Optional[Sequence[str]] = None,
    email_columns: Optional[Sequence[str]] = None,
    default_region: Optional[str] = None,
    max_group: int = 50,
) -> pa.Int64Array:
    """Duplicate groups, as ``contactclean dedupe`` finds and numbers them.

    One int64 per row: its group (1-based, groups numbered by their first row), null for a row
    in no group of two or more. Rows are linked by a shared valid phone (shared lines such as
    fax columns excepted) or normalised email, transitively (union-find).
    """

def merge_keys(
    batch: Union[ArrowArrayExportable, ArrowStreamExportable],
    phone_columns: Optional[Sequence[str]] = None,
    email_columns: Optional[Sequence[str]] = None,
    default_region: Optional[str] = None,
) -> pa.ListArray:
    """Each row's merge keys as list<string>: valid phones as ``+E164`` and normalised emails,
    distinct, phones first. What :func:`link` joins rows on."""

def link_keys(
    rows: ArrayLike,
    keys: ArrayLike,
    num_rows: int,
    max_group: int = 50,
) -> pa.Int64Array:
    """The union-find of :func:`link` over (row, key) pairs: ``rows`` are 0-based row numbers,
    ``keys`` merge keys as :func:`merge_keys` writes them. Returns one group id per row in
    ``0..num_rows`` (1-based, numbered by first row; null when in no group)."""
