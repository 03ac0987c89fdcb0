#!/usr/bin/env python3
"""Writes the curated seed corpora under fuzz/seeds/<target>/ (run from anywhere).

The seeds are committed; re-run this only to change them. Sources: the project's fixtures
(copied as they are now) plus hand-picked cells that reach each branch of the normalisers.
Files named cov-* are kept: they are the fuzzers' corpora reduced to a set that covers the
same edges (`-set_cover_merge=1 -use_counters=0 -use_cmp=0`, see fuzz/README.md).
The csv_pipeline seeds start with the control byte described in fuzz/src/oracles.rs.
"""

import csv
import hashlib
import pathlib
import re

FUZZ = pathlib.Path(__file__).resolve().parent.parent
ROOT = FUZZ.parent
SEEDS = FUZZ / "seeds"

PHONES = [
    # Shapes phone.rs handles before calling the library.
    "+6591234567", "+65 9123 4567", "(+65) 9123 4567", "0065 9123 4567", "00-65-9123-4567",
    "( 00 44) 20 7946 0018", "tel:+65-9123-4567", "TEL:+44 20 7946 0018", "6591234567",
    "６５９１２３４５６７", "＋６５ ９１２３ ４５６７", "+١ ٢٠٣-٧٣٥-٣١٩٧", "+۹۱ ۹۸۷۶۵ ۴۳۲۱۰",
    "+९१ ९८७६५ ४३२१०", "\u200b+6591234567\ufeff", "\u200f+972 50-123-4567\u200e",
    "Mobile: +65 9123 4567", "Tel.: +65 9123 4567", "Téléphone：+33 1 23 45 67 89",
    "+65 9123 4567 (work)", "+65 9123 4567 [WhatsApp]", "+65 9123 4567 home",
    "6591234567.0", "+6591234567.0", "6.59123E+10", "9.12267e+11", "-1.5E3",
    "+1 212-555-0123 ext. 45", "+1 212-555-0123 x45", "+1 212-555-0123 #45",
    "+44 20 7183 8750;ext=123", "+65 9123 4567 / +65 8123 4567",
    "+65 9123 4567; +44 7400 123456", "+65 9123 4567 ::: +65 8123 4567",
    "+65 9123 4567 or +65 8123 4567", "+65 9123 4567 & +65 8123 4567",
    "+65 9123 4567, +65 8123 4567", "+65 9123 4567 | 6581234567", "+6591234567\n+6581234567",
    "+6591234567;+6581234567", "02/633 12 34", "020 7946 0018", "02079460018", "(212) 555-0187",
    "971.752.5856", "447400123456", "7400123456", "1 800 FLOWERS", "+1 800 FLOWERS",
    "+999 1234 5678", "+65 9123", "+65 9123 4567 8901 2345", "+1 555 123 4567",
    "+800 1234 5678", "+882 1234 5678", "+39 06 698 12345", "+379 1234", "+7 812 123-45-67",
    "no phone", "-", "1994-01-26", "26/01/1994", "sales@example.com", "123", "+", "++65",
    "00", "0000", "+0", ";phone-context=+1;tel:", "1;phone-context=+44;tel:123",
    "+44 20 7183 8750;phone-context=+44;tel:", "tel:+1-800-555-0199;phone-context=example.com",
    "tel:863-1234;phone-context=+1-914-555", "+44 (0)20 7946 0018", "   ", "",
    "12345678901234567890123", "+4420794600189999999999", "+12025550123;+12025550123",
]

EMAILS = [
    "jane@example.com", "Jane.Doe@Example.COM", "  bo@example.org ", "jane+news@example.com",
    "a.b@mail.example.co.uk", "mailto:Ann@Example.com", "MAILTO:x@y.io", "jane.example.com",
    "jane@@example.com", "jane@localhost", "jane doe@example.com", "Jane <jane@example.com>",
    "jane@example..com", "jane.@example.com", "jane@example.123", "n/a", "", "   ",
    "\"quoted local\"@example.com", "o'brien@example.ie", "user@sub-domain.example.com",
    "user@-bad.example.com", "user@bad-.example.com", "müller@example.de", "user@bücher.de",
    "ÄÖÜ@EXAMPLE.DE", "x@xn--bcher-kva.de", "a@b.co", "a@b.c", "a@[127.0.0.1]",
    "\u200bjane@example.com\ufeff", "jane@example.com.", "a" * 64 + "@example.com",
    "a" * 65 + "@example.com", "x@" + "a" * 63 + ".com", "x@" + "a" * 64 + ".com",
    "ΑΒΓ@ΔΕΖ.ΕΛ", "user@example.COM", "ǅ@example.com",
]


def write(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / name).write_bytes(data)


def slug(text, data):
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"
    return f"{s}-{hashlib.sha1(data.encode('utf-8')).hexdigest()[:8]}"


def fixture_column(name, column):
    path = ROOT / "fixtures" / name
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return [(r.get("case", ""), r[column]) for r in csv.DictReader(f)]


def main():
    for target in ("phone_cell", "email_cell", "csv_pipeline"):
        d = SEEDS / target
        if d.exists():
            for p in d.iterdir():
                if not p.name.startswith("cov-"):
                    p.unlink()
    for i, p in enumerate(PHONES):
        write("phone_cell", slug(f"p{i:03}", p), p)
    for case, p in fixture_column("phones.csv", "Phone"):
        write("phone_cell", slug("fixture-" + case, p), p)
    for i, e in enumerate(EMAILS):
        write("email_cell", slug(f"e{i:03}", e), e)
    for case, e in fixture_column("emails.csv", "Email"):
        write("email_cell", slug("fixture-" + case, e), e)

    # csv_pipeline: control byte + file. 0x00: `,` flexible; 0x01 `;`; 0x02 tab; 0x03 `|`;
    # 0x04 strict; 0x08 --require-mobile; 0x10 GB; 0x80 one record per batch.
    controls = {
        "sample.csv": [0x00, 0x98],
        "check.csv": [0x00, 0x84],
        "dedupe.csv": [0x00, 0x80],
        "phones.csv": [0x00, 0x18],
        "emails.csv": [0x00],
        "input/bom.csv": [0x00],
        "input/cp1252.csv": [0x00],
        "input/crlf.csv": [0x80],
        "input/dup_headers.csv": [0x00],
        "input/empty.csv": [0x00],
        "input/excel.csv": [0x00],
        "input/header_only.csv": [0x00],
        "input/nul.csv": [0x00],
        "input/pipe.csv": [0x03],
        "input/quoted_multiline.csv": [0x80],
        "input/ragged_long.csv": [0x00, 0x04],
        "input/ragged_short.csv": [0x80, 0x04],
        "input/semicolon.csv": [0x01],
        "input/tabs.tsv": [0x02],
        "input/utf16le.csv": [0x00],
    }
    for name, ctls in controls.items():
        path = ROOT / "fixtures" / name
        if not path.exists():
            continue
        body = path.read_bytes()
        for c in ctls:
            stem = name.replace("/", "-").rsplit(".", 1)[0]
            write("csv_pipeline", f"{stem}-{c:02x}", bytes([c]) + body)
    handmade = {
        # An existing flags column with an extension to carry over (re-run of normalize).
        "rerun-flags": b"\x00id,Phone,flags\n1,+12125550123,Phone:extension=45\n"
        b"2,+12125550123,Phone:extension=\n3,+6591234567,Other:extension=9;x\n",
        "flags-only": b"\x00flags\nPhone:extension=1\n\n",
        "dup-keys": b"\x80id,Phone,Email\na,+6591234567,a@b.co\nb,6591234567,A@B.CO\n"
        b"c,,a@b.co\nd,0065 9123 4567,\n",
        "ragged-flags-first": b"\x00flags,Phone\n\nx\n1,2,3,4\n",
        "quote-error": b"\x04Phone\n\"+6591234567\n",
        "region-gb": b"\x10Phone,Email\n020 7946 0018,x@y.co\n07400 123456,\n",
        "region-us-mobile": b"\x28Phone\n(212) 555-0187\n+1 800 555 0199\n",
        "header-bad-utf8": b"\x00Ph\xffone\n1\n",
    }
    for name, data in handmade.items():
        write("csv_pipeline", name, data)


if __name__ == "__main__":
    main()
