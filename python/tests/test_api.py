"""The package's own contract: string layouts, shapes, errors."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import contactclean

CELLS = ["+65 9123-4567", "020 7946 0018", "", None, "  ", "+44 20 7946 0018 ext. 12", "1.23E+11", "junk"]


def test_every_string_layout_gives_the_same_cells():
    base = contactclean.normalize_phones(pa.array(CELLS, pa.string())).to_pylist()
    assert base[0] == {"e164": "+6591234567", "reason": None, "flags": "", "outcome": "fixed"}
    assert base[1]["reason"] == "missing_country_code" and base[1]["outcome"] == "invalid"
    assert base[2]["outcome"] == "empty" and base[3] is None
    assert base[5]["e164"] == "+442079460018" and base[5]["flags"] == "extension=12"
    for t in [pa.large_string(), pa.string_view()]:
        assert contactclean.normalize_phones(pa.array(CELLS, t)).to_pylist() == base
    chunked = pa.chunked_array([CELLS[:3], CELLS[3:]], pa.string())
    out = contactclean.normalize_phones(chunked)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 2
    assert out.to_pylist() == base
    assert contactclean.normalize_phones(pa.array([None, None])).to_pylist() == [None, None]


def test_default_region_and_require_mobile():
    out = contactclean.normalize_phones(pa.array(["020 7946 0018", "07400 123456"]), default_region="gb", require_mobile=True)
    assert out.to_pylist()[0]["e164"] == "+442079460018" and out.to_pylist()[0]["flags"] == "not_mobile"
    assert out.to_pylist()[1]["flags"] == ""


def test_emails():
    out = contactclean.normalize_emails(pa.array([" Jane@Example.COM ", "nope", "", "mailto:a@b.co"])).to_pylist()
    assert [c["email"] for c in out] == ["jane@example.com", None, None, "a@b.co"]
    assert [c["outcome"] for c in out] == ["fixed", "invalid", "empty", "fixed"]
    assert out[1]["reason"] == "invalid_email" and out[1]["flags"] == "invalid_email"


def test_errors_are_python_exceptions_with_the_library_messages():
    with pytest.raises(ValueError, match=r'"XX" is not a region code with phone metadata'):
        contactclean.normalize_phones(pa.array(["1"]), default_region="XX")
    with pytest.raises(TypeError, match="expected a string array"):
        contactclean.normalize_phones(pa.array([1, 2]))
    t = pa.table({"Name": ["A"], "Phone": ["1"]})
    with pytest.raises(ValueError, match=r'--phone-column "Tel": no such column \(the header has: Name, Phone\)'):
        contactclean.clean_batch(t, phone_columns=["Tel"])
    with pytest.raises(ValueError, match='the flags column "Phone" is the input\'s phone column'):
        contactclean.clean_batch(t, flags_column="Phone")
    t = pa.table({"Phone": ["+6591234567"], "flags": ["VIP"]})
    with pytest.raises(ValueError, match=r'record 1 \(line 2\): column "flags" holds "VIP", which is not a contactclean flag'):
        contactclean.clean_batch(t)


def test_clean_batch_keeps_types_and_other_columns():
    t = pa.table({
        "id": pa.array([1, 2], pa.int64()),
        "Phone": pa.array(["+65 9123 4567", None], pa.large_string()),
        "Email": pa.array(["A@B.CO", "x"], pa.string_view()),
    })
    out = contactclean.clean_batch(t)
    assert out.schema.field("id").type == pa.int64()
    assert out.schema.field("Phone").type == pa.large_string()
    assert out.schema.field("Email").type == pa.string_view()
    assert out.to_pydict() == {
        "id": [1, 2],
        "Phone": ["+6591234567", None],
        "Email": ["a@b.co", "x"],
        "flags": ["", "Email:invalid_email"],
    }
    assert contactclean.clean_batch(t.slice(0, 0)).num_rows == 0


def test_merge_keys():
    t = pa.table({"Phone": ["+65 9123 4567", "", "6591234567"], "Fax": ["+65 6123 4567"] * 3, "Email": ["A@B.CO", "a@b.co", ""]})
    assert contactclean.merge_keys(t).to_pylist() == [["+6591234567", "a@b.co"], ["a@b.co"], ["+6591234567"]]
    assert contactclean.link(t).to_pylist() == [1, 1, 1]
    assert contactclean.link_keys(pa.array([0, 2]), pa.array(["x@y.co", "x@y.co"]), 3).to_pylist() == [1, None, 1]
