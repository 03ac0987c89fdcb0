"""PySpark local[2]: the same cells and groups as the CLI (skipped, with the reason, without Java)."""

import pyarrow as pa
import pytest

import contactclean
from conftest import ROOT, read_csv_text, rows_of, table_of
from test_parity import cli_groups


def spark_df(spark, path):
    t = table_of(path)
    return spark.createDataFrame(t.to_pandas()).repartition(3)


def sorted_rows(rows):
    return [rows[0]] + sorted(rows[1:])


@pytest.mark.parametrize("name", ["contacts", "sample.csv", "dedupe.csv"])
def test_clean_matches_the_cli(spark, cli, contacts, name):
    from contactclean import spark as ccs

    path = contacts if name == "contacts" else ROOT / "fixtures" / name
    expected = read_csv_text(cli("normalize", input_path=path))
    out = ccs.clean(spark_df(spark, path))
    got = rows_of(pa.Table.from_pandas(out.toPandas(), preserve_index=False))
    assert sorted_rows(got) == sorted_rows(expected)


def test_clean_refuses_a_missing_column(spark):
    from contactclean import spark as ccs

    df = spark.createDataFrame([("a", "1")], "Name string, Phone string")
    with pytest.raises(ValueError, match="no such column"):
        ccs.clean(df, phone_columns=["Tel"])


@pytest.mark.parametrize("name", ["contacts", "dedupe.csv"])
def test_merge_groups_both_methods_match_the_cli(spark, cli, contacts, name):
    from contactclean import spark as ccs

    path = contacts if name == "contacts" else ROOT / "fixtures" / name
    expected = cli_groups(cli, path)
    df = spark.createDataFrame(table_of(path).to_pandas())
    stats = {}
    by_spark = sorted(tuple(r) for r in ccs.merge_groups(df, stats=stats).collect())
    assert stats["iterations"] >= 1
    by_collect = sorted(tuple(r) for r in ccs.merge_groups(df, method="collect").collect())
    assert by_spark == by_collect == expected


def test_merge_groups_ids_and_the_key_cap(spark):
    from contactclean import spark as ccs

    rows = [(f"c{i}", f"+65 9123 {4000 + i}", "noreply@example.com") for i in range(8)]
    rows += [("d1", "+44 7400 123456", ""), ("d2", "+447400123456", "")]
    df = spark.createDataFrame(rows, "id string, Phone string, Email string")
    for method in ["spark", "collect"]:
        # noreply@ is on 8 rows: with a cap of 5 it links nobody.
        got = sorted(tuple(r) for r in ccs.merge_groups(df, id_column="id", max_key_rows=5, method=method).collect())
        assert got == [("d1", 1), ("d2", 1)], method
        got = ccs.merge_groups(df, id_column="id", method=method).collect()
        assert sorted(tuple(r) for r in got) == sorted([(f"c{i}", 1) for i in range(8)] + [("d1", 2), ("d2", 2)])


def test_merge_groups_without_duplicates(spark):
    from contactclean import spark as ccs

    df = spark.createDataFrame([("+65 9123 4567", "a@b.co"), ("+44 7400 123456", "")], "Phone string, Email string")
    for method in ["spark", "collect"]:
        assert ccs.merge_groups(df, method=method).collect() == [], method
