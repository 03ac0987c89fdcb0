#!/usr/bin/env python3
"""What a data engineer would write instead of contactclean: pandas + phonenumbers.

Usage:
    pip install pandas phonenumbers
    python3 scripts/pandas_baseline.py contacts.csv -o clean.csv --suggestions merges.csv

The same job as `contactclean normalize --suggestions`, in the plain idiomatic way: phone
cells to E.164 with phonenumbers (no default region; `00` and bare wa_id digits read as
international, labels stripped), emails trimmed and lower-cased, an invalid cell kept verbatim
and named in a `flags` column, and rows sharing a valid phone or email grouped by union-find.
scripts/bench.py runs it with --pandas to compare wall time; it is not part of the product.
"""
import argparse
import re

import pandas as pd
import phonenumbers

PHONE_HEADER = re.compile(r"phone|mobile|whatsapp|msisdn|\btel\b|\bcell\b", re.I)
EMAIL_HEADER = re.compile(r"e-?mail", re.I)
LABEL = re.compile(r"^\s*[^\W\d]+\s*:\s*|\s*(\([^)]*[^\W\d][^)]*\)|\s(home|work|mobile|cell|office))\s*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
E164 = phonenumbers.PhoneNumberFormat.E164


def clean_phone(cell):
    """(value to write, valid E.164 or None, flag or None)."""
    text = LABEL.sub("", cell.strip())
    if not text:
        return cell, None, None
    text = text.translate(str.maketrans("０１２３４５６７８９＋", "0123456789+"))
    if text.startswith("00"):
        text = "+" + text[2:].lstrip(" -.")
    elif text.isdigit() or (text.endswith(".0") and text[:-2].isdigit()):
        text = "+" + text.removesuffix(".0")
    try:
        n = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return cell, None, "invalid_phone"
    if not phonenumbers.is_valid_number(n):
        return cell, None, "invalid_phone"
    e164 = phonenumbers.format_number(n, E164)
    return e164, e164, None


def clean_email(cell):
    e = cell.strip().lower()
    if not e:
        return cell, None, None
    if not EMAIL.match(e):
        return cell, None, "invalid_email"
    return e, e, None


def find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--suggestions", required=True)
    a = ap.parse_args()

    df = pd.read_csv(a.input, dtype=str, keep_default_na=False)
    flags = pd.Series([""] * len(df), index=df.index)
    keys = []  # one Series of link keys (valid phone / email, or None) per contact column
    for col in df.columns:
        cleaner = (clean_phone if PHONE_HEADER.search(col)
                   else clean_email if EMAIL_HEADER.search(col) else None)
        if cleaner is None:
            continue
        out = df[col].map(cleaner)
        df[col] = out.str[0]
        keys.append(out.str[1])
        flag = out.str[2]
        sep = flags.where(flags.eq(""), flags + ";")
        flags = flags.where(flag.isna(), sep + col + ":" + flag.fillna(""))
    df["flags"] = flags
    df.to_csv(a.output, index=False)

    # Union-find over rows that share a key.
    parent = list(range(len(df)))
    first_row = {}
    for series in keys:
        for row, key in enumerate(series):
            if key is None or key != key:  # None or NaN
                continue
            other = first_row.setdefault(key, row)
            ra, rb = find(parent, row), find(parent, other)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = pd.Series([find(parent, i) for i in range(len(df))])
    sizes = roots.map(roots.value_counts())
    groups = pd.DataFrame({"root": roots, "row": roots.index + 1, "id": df.iloc[:, 0]})[sizes > 1]
    groups.insert(0, "group", groups["root"].rank(method="dense").astype(int))
    groups.drop(columns="root").to_csv(a.suggestions, index=False)


if __name__ == "__main__":
    main()
