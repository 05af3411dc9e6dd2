"""The regression baseline: two short runs give exactly the tables recorded in golden.yaml."""

import golden
import pytest


@pytest.mark.parametrize("case", list(golden.CASES))
def test_tables_match_the_golden_digests(case):
    stored = golden.load()["cases"][case]
    assert golden.compute(case) == stored, (
        f"{case}: results changed; if intended, run `python tools/update_golden.py` and say why"
    )


def test_the_digest_sees_a_one_ulp_change():
    import numpy as np
    import pandas as pd

    table = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    nudged = table.copy()
    nudged.loc[1, "a"] = np.nextafter(2.0, 3.0)
    retyped = table.astype({"a": "float32"})
    assert golden.table_digest(table) != golden.table_digest(nudged)
    assert golden.table_digest(table) != golden.table_digest(retyped)
    assert golden.table_digest(table) == golden.table_digest(table.copy())
