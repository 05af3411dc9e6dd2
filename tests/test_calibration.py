"""The baseline held to its calibration targets at a small scale (tolerances allow for sampling)."""

import numpy as np
import pytest

from ampsim.core.rng import draws
from ampsim.model import AMPModel
from ampsim.studies.runner import run_scenario
from ampsim.studies.targets import calibration_table, five_year_survival


@pytest.fixture(scope="module")
def first_year():
    return run_scenario(scale=0.1, seed=11, months=12)


def test_zone_unemployment_after_one_year(first_year, territory):
    zones = first_year.zones[first_year.zones["month"] == 12].set_index("code")
    census = territory.zones.set_index("insee_code")["unemployment_rate_pct"]
    deviation = (zones["unemployment_rate"] - census).abs()
    # zones of 30,000 people or more have about 1,300 active residents at this scale, so a zone's
    # rate has a sampling error of about 0.9 points and the largest of some 30 zones is noisy:
    # measured over seeds 11, 12, 13, it was 2.86, 2.44 and 4.28 points (mean deviations 0.98,
    # 0.84, 1.03) with arrivals taking the traits of the zone they settled in, and 3.52, 1.96 and
    # 3.32 (0.80, 0.76, 1.05) with those of the zone they were drawn for; the mean is the test of
    # the calibration, the largest a guard against one zone running away
    large = territory.zones.set_index("insee_code")["population"] >= 30_000
    assert deviation[large].max() <= 4.5
    assert deviation[large].mean() <= 1.5
    assert (deviation <= 5.0).mean() >= 0.85  # small zones: a handful of residents each


def test_first_year_targets(first_year):
    metro = first_year.metro
    assert abs(metro["unemployment_rate"].iloc[-1] - 12.1) <= 1.5
    assert 20 <= metro["youth_unemployment_rate"].iloc[-1] <= 28
    assert 600 <= metro["startups_alive"].iloc[-1] <= 1200
    # AtmoSud 2021: everyone above the WHO PM2.5 guideline (the 2019 station fit: test_air_structure)
    assert (metro["people_above_who_pm25"] / metro["population"]).min() > 0.95
    assert (
        metro["pm25_popweighted"].mean() > 5.0 and metro["no2_popweighted"].mean() > 7.0
    )  # above the backgrounds
    assert abs(metro["car_share"].mean() - 75.3) <= 3
    table = calibration_table(first_year)
    station = table[table["target"].str.startswith("highest modelled NO2")].iloc[0]
    assert station["met"], station["target"]


def test_five_year_survival_of_startups():
    """3,000 startups followed for five years with the model's hazards, growth and funding."""
    model = AMPModel(scale=0.01, seed=1, months=1, calibration_months=0)
    sector = model.startups
    key = model.keys("test.survival", month=0)
    alive = 0
    for rank in range(3_000):
        startup = sector._new_startup(model, zone=0, month=0, rank=rank, namespace=99, sectors=None)
        survived = True
        for age in range(60):
            u = draws(key, startup.key, 10 + 4 * age, 4)
            if u[0] < sector.hazard(startup, age, model):
                survived = False
                break
            sector._grow(startup, age, u[1], u[2], u[3], model)
        alive += survived
        startup.remove()
    model.close()
    assert 0.57 <= alive / 3_000 <= 0.63  # INSEE: 60 % of the 2014 PACA cohort at five years


def test_survival_measure_counts_closures_before_five_years():
    import pandas as pd

    startups = pd.DataFrame(
        {
            "founded_month": [1, 1, 2, 3, 200],
            "end_month": [30, 70, np.nan, 61, np.nan],
            "end": ["closed", "closed", "alive", "graduated", "alive"],
        }
    )
    survival, cohorts = five_year_survival(startups, last_month=120)
    assert cohorts == 3
    assert survival == pytest.approx(3 / 4)
