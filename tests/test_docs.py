"""The documentation's generated tables are current, and its generator lives outside the package."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import doc_tables  # noqa: E402  (tools/doc_tables.py)


@pytest.mark.parametrize("document", sorted({str(path) for path, _, _ in doc_tables.TABLES}))
def test_generated_tables_are_current(document):
    path = Path(document)
    assert doc_tables.rendered(path) == path.read_text(encoding="utf-8"), "run: python tools/doc_tables.py"


def test_the_tables_change_when_a_declaration_changes():
    text = "before\n<!-- parameter-table:begin -->\nSTALE-TABLE\n<!-- parameter-table:end -->\nafter\n"
    new = doc_tables.replace_between(text, "parameter-table", doc_tables.parameter_table())
    assert new.startswith("before\n") and new.endswith("after\n") and "STALE-TABLE" not in new
    assert "`labour.matching_elasticity`" in new
    assert "`budget_eur`" in doc_tables.intervention_reference()
