"""Golden results: SHA-256 digests of the tables of two short runs, the regression baseline.

A digest covers every column's name, dtype and values (numbers as their raw bytes, other values
as text), so any change of a result, a column or a type changes it. tools/update_golden.py
rewrites golden.yaml; tests/test_golden.py compares against it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_FILE = Path(__file__).with_name("golden.yaml")
TABLES = ("metro", "zones", "stations", "startups")

# case name -> (scenario file, scale, months); seed and replicate are the scenario's seed and 0
CASES = {
    "baseline": ("scenarios/baseline.yaml", 0.01, 24),
    "ambition_2040": ("scenarios/ambition_2040.yaml", 0.01, 30),
}


def table_digest(table: pd.DataFrame) -> str:
    """SHA-256 of a table's columns in order: name, dtype and values."""
    digest = hashlib.sha256()
    digest.update(f"{len(table)} rows\n".encode())
    for name in table.columns:
        column = table[name]
        digest.update(f"{name}:{column.dtype}\n".encode())
        values = column.to_numpy()
        if values.dtype.kind in "biuf":
            digest.update(np.ascontiguousarray(values).tobytes())
        else:
            digest.update("\x1f".join(map(str, values)).encode())
    return digest.hexdigest()


def run_case(case: str):
    """The RunResult of one golden case."""
    from ampsim.scenarios.loading import load_scenario
    from ampsim.studies.runner import run_scenario

    path, scale, months = CASES[case]
    return run_scenario(load_scenario(ROOT / path), scale=scale, months=months)


def compute(case: str) -> dict[str, str]:
    """The digests of one case's four tables."""
    result = run_case(case)
    return {name: table_digest(getattr(result, name)) for name in TABLES}


def compute_all() -> dict[str, dict[str, str]]:
    return {case: compute(case) for case in CASES}


def load() -> dict:
    return yaml.safe_load(GOLDEN_FILE.read_text())


def save(digests: dict[str, dict[str, str]]) -> None:
    header = (
        "# Golden results: SHA-256 digests of the tables of two short runs (tests/golden.py).\n"
        "# Regenerate with `python tools/update_golden.py` only when a change of results is intended,\n"
        "# and say so in the commit message.\n"
    )
    cases = {
        case: {"scenario": CASES[case][0], "scale": CASES[case][1], "months": CASES[case][2]}
        for case in CASES
    }
    document = {"runs": cases, "cases": digests}
    GOLDEN_FILE.write_text(header + yaml.safe_dump(document, sort_keys=False))
