"""Ratios of paired effects from a comparison's replicates, on tables whose answers are known."""

import numpy as np
import pandas as pd
import pytest

from ampsim.core.errors import InputError
from ampsim.studies.effect_ratios import job_programme_ratios, main, ratio_of_means, read_replicates


def _table(shift: dict[str, np.ndarray], months: int = 36, replicates: int = 5) -> pd.DataFrame:
    """A comparison of 'programme' with 'baseline': every indicator flat at 1,000 in the baseline
    and moved by `shift[indicator][replicate]` in the programme's final year only."""
    rows = []
    for scenario in ("baseline", "programme"):
        for r in range(replicates):
            for month in range(1, months + 1):
                for name in dict.fromkeys(
                    ["unemployed_people", "poor_people", "employed_people", "population", *shift]
                ):
                    value = 1000.0
                    if scenario == "programme" and month > months - 12:
                        value += shift.get(name, np.zeros(replicates))[r]
                    rows.append((scenario, r, month, name, value))
    return pd.DataFrame(rows, columns=["scenario", "replicate", "month", "indicator", "value"])


def test_the_ratios_recover_the_effects_they_were_built_from():
    n = 5
    employed = np.array([90.0, 100.0, 110.0, 95.0, 105.0])
    table = _table(
        {
            "unemployed_people": -0.3 * employed,
            "poor_people": -0.25 * employed,
            "employed_people": employed,
            "population": np.full(n, 40.0),
        }
    )
    ratios = job_programme_ratios(table, "programme", jobs=100.0)
    assert ratios["fewer poor per additional employed resident"].value == pytest.approx(0.25)
    per_job = ratios["fewer unemployed per programme job"]
    assert per_job.value == pytest.approx(0.3) and per_job.low < 0.3 < per_job.high
    assert ratios["population, scenario minus baseline (final year)"].value == pytest.approx(40.0)
    assert ratios["population change, first to final year (programme)"].value == pytest.approx(40.0)
    assert ratios["population change, first to final year (baseline)"].value == pytest.approx(0.0)


def test_the_interval_widens_with_noise_and_covers_the_ratio():
    rng = np.random.default_rng(1)
    employed = rng.normal(100, 5, 8)
    tight = ratio_of_means(0.2 * employed, employed)
    loose = ratio_of_means(0.2 * employed + rng.normal(0, 10, 8), employed)
    assert tight.high - tight.low < 1e-9 and tight.value == pytest.approx(0.2)
    assert loose.high - loose.low > 0.01 and loose.low < loose.value < loose.high


def test_bad_inputs_get_a_clear_error(tmp_path, capsys):
    with pytest.raises(InputError, match="replicates table"):
        read_replicates(tmp_path)
    _table({}).to_parquet(tmp_path / "replicates.parquet")
    assert main([str(tmp_path), "nowhere"]) == 2
    assert "scenario 'nowhere'" in capsys.readouterr().err
    assert main([str(tmp_path), "programme", "100"]) == 0
    assert "fewer unemployed per programme job" in capsys.readouterr().out


def test_the_newcomers_share_is_the_employed_who_are_not_residents_of_the_start():
    employed = np.array([90.0, 100.0, 110.0, 95.0, 105.0])
    table = _table(
        {
            "unemployed_people": -0.3 * employed,
            "poor_people": -0.25 * employed,
            "employed_people": employed,
            "population": np.full(5, 40.0),
            "start_unemployed": -0.1 * employed,
            "start_poor": -0.1 * employed,
            "start_employed": 0.4 * employed,
        }
    )
    ratios = job_programme_ratios(table, "programme", jobs=100.0)
    assert ratios["newcomers' share of the additional employed residents"].value == pytest.approx(0.6)
    assert ratios["residents of the start: fewer unemployed per programme job"].value == pytest.approx(0.1)
