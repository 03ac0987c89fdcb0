"""The same input through the CLI and through the package: identical cells, flags and groups."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import contactclean
from conftest import FIXTURES, ROOT, read_csv_text, rows_of, table_of


def cli_groups(cli, path, *args):
    """(row, group) pairs from `contactclean dedupe` (row 1-based)."""
    rows = read_csv_text(cli("dedupe", *args, input_path=path))
    h = rows[0]
    g, r = h.index("group"), h.index("row")
    return sorted((int(x[r]), int(x[g])) for x in rows[1:])


def pkg_groups(groups):
    return sorted((i + 1, g) for i, g in enumerate(groups.to_pylist()) if g is not None)


def inputs(contacts):
    return [contacts] + [ROOT / "fixtures" / f for f in FIXTURES]


@pytest.fixture(scope="module", params=["contacts"] + FIXTURES)
def case(request, contacts, cli):
    path = contacts if request.param == "contacts" else ROOT / "fixtures" / request.param
    expected = read_csv_text(cli("normalize", input_path=path))
    return path, expected


def test_clean_batch_matches_the_cli(case):
    path, expected = case
    table = table_of(path)
    out = contactclean.clean_batch(table)
    assert isinstance(out, pa.Table)
    assert rows_of(out) == expected
    # One RecordBatch in, one RecordBatch out, same cells.
    batch = table.combine_chunks().to_batches()[0]
    out_batch = contactclean.clean_batch(batch)
    assert isinstance(out_batch, pa.RecordBatch)
    assert rows_of(out_batch) == expected


def test_options_match_the_cli(contacts, cli):
    expected = read_csv_text(
        cli("normalize", "--default-region", "SG", "--require-mobile", "--phone-column", "Mobile",
            "--flags-column", "problems", input_path=contacts)
    )
    out = contactclean.clean_batch(
        table_of(contacts), phone_columns=["Mobile"], default_region="sg", require_mobile=True,
        flags_column="problems",
    )
    assert rows_of(out) == expected


def test_cells_match_the_cli(contacts, cli):
    """normalize_phones / normalize_emails give the CLI's value and the CLI's flags per cell."""
    table = table_of(contacts)
    expected = read_csv_text(cli("normalize", input_path=contacts))
    h = expected[0]
    flags_at = h.index("flags")
    for col, fn, value in [
        ("Phone", contactclean.normalize_phones, "e164"),
        ("Mobile", contactclean.normalize_phones, "e164"),
        ("WhatsApp", contactclean.normalize_phones, "e164"),
        ("Email", contactclean.normalize_emails, "email"),
    ]:
        at = h.index(col)
        cells = fn(table.column(col)).to_pylist()
        raw = table.column(col).to_pylist()
        for row, cell, r in zip(expected[1:], cells, raw):
            cli_flags = [f.split(":", 1)[1] for f in row[flags_at].split(";") if f.startswith(col + ":")]
            assert (cell["flags"].split(";") if cell["flags"] else []) == cli_flags, (col, r)
            if cell["outcome"] in ("valid", "fixed"):
                assert cell[value] == row[at]
                assert cell["reason"] is None
            elif cell["outcome"] == "invalid":
                assert row[at] == r, "an invalid cell is kept verbatim"
                assert cell[value] is None and cell["reason"] in cli_flags
            else:
                assert row[at] == "" and cell[value] is None


@pytest.mark.parametrize("name", ["contacts", "dedupe.csv", "sample.csv"])
def test_link_matches_the_cli(name, contacts, cli):
    path = contacts if name == "contacts" else ROOT / "fixtures" / name
    expected = cli_groups(cli, path)
    got = pkg_groups(contactclean.link(table_of(path)))
    assert got == expected
    if name == "contacts":
        assert len(expected) > 100


def test_link_keys_is_the_same_union_find(contacts):
    table = table_of(contacts)
    keys = contactclean.merge_keys(table)
    rows = pc.list_parent_indices(keys)
    flat = pc.list_flatten(keys)
    assert contactclean.link_keys(rows, flat, table.num_rows).to_pylist() == contactclean.link(table).to_pylist()


def test_polars(case):
    pl = pytest.importorskip("polars")
    path, expected = case
    df = pl.from_arrow(table_of(path))
    out = pl.from_arrow(contactclean.clean_batch(df.to_arrow()))
    assert rows_of(out.to_arrow()) == expected
    if "Phone" in df.columns:
        # The one-liner from docs/python.md: a column of E.164 through map_batches.
        got = df.with_columns(
            pl.col("Phone").map_batches(
                lambda s: pl.from_arrow(pc.struct_field(contactclean.normalize_phones(s.to_arrow()), "e164")),
                return_dtype=pl.String,
            )
        )["Phone"].to_list()
        want = pc.struct_field(contactclean.normalize_phones(table_of(path).column("Phone")), "e164").to_pylist()
        assert got == want


def test_duckdb(case):
    duckdb = pytest.importorskip("duckdb")
    path, expected = case
    con = duckdb.connect()
    t = table_of(path)
    con.register("contacts", t)
    out = contactclean.clean_batch(con.sql("SELECT * FROM contacts").to_arrow_table())
    assert rows_of(out) == expected
    if "Phone" in t.column_names:
        con.create_function(
            "e164",
            lambda a: pc.struct_field(contactclean.normalize_phones(a), "e164"),
            ["VARCHAR"],
            "VARCHAR",
            type="arrow",
            null_handling="special",
        )
        got = [r[0] for r in con.sql('SELECT e164("Phone") FROM contacts').fetchall()]
        want = pc.struct_field(contactclean.normalize_phones(t.column("Phone")), "e164").to_pylist()
        assert got == want
