"""Every ```python block of docs/python.md runs as written."""

import os
import re
import shutil

import pytest

from conftest import ROOT

DOC = ROOT / "docs" / "python.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_doc_has_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_example_runs(i, tmp_path, monkeypatch, request):
    code = BLOCKS[i]
    if "pyspark" in code or "spark" in code.split("\n", 1)[0]:
        request.getfixturevalue("spark")  # skips, with the reason, without Java
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "fixtures" / "sample.csv", tmp_path / "contacts.csv")
    exec(compile(code, f"{DOC}:block{i + 1}", "exec"), {"__name__": "__doc_example__"})
