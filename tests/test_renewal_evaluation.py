"""The urban-renewal virtual experiment: a programme that builds nothing has exactly no effect on
the zones' exit rates; one that creates jobs with local hiring raises them, and the share of its
jobs relocated is the one it declares."""

import pytest

from ampsim.interventions.urban_renewal import UrbanRenewalConfig
from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.experiment import baseline_of
from ampsim.studies.evaluation.renewal_experiments import measure_renewal

SETTINGS = RunSettings(scale=0.01, seed=4, months=12, spin_up_months=12)
ZONES = [13202, 13203, 13215]


def _scenario(**fields) -> Scenario:
    config = UrbanRenewalConfig(zones=ZONES, start="2026-01", end="2026-12", **fields)
    return Scenario(name="renewal", interventions=[config])


def test_a_programme_that_builds_nothing_leaves_the_exit_rate_exactly_unchanged():
    scenario = _scenario(housing_units=0, jobs=0, amenity_gain=0.0)
    measured = measure_renewal(baseline_of(scenario), scenario, SETTINGS)
    rates = measured["urban_renewal.exit_rate_36m"]
    assert rates.participants > 500  # person-months at risk
    assert rates.treated == rates.control  # the same residents, the same draws
    assert measured["urban_renewal.relocated_share"].participants == 0


def test_jobs_with_local_hiring_raise_the_exit_rate_and_relocate_the_declared_share():
    scenario = _scenario(housing_units=0, jobs=20_000, amenity_gain=0.0, local_hiring_share=0.5)
    measured = measure_renewal(baseline_of(scenario), scenario, SETTINGS)
    rates = measured["urban_renewal.exit_rate_36m"]
    assert rates.effect("ratio") > 1.05
    relocated = measured["urban_renewal.relocated_share"]
    assert relocated.participants == pytest.approx(0.01 * 20_000, abs=3)  # every simulated job delivered
    assert relocated.effect("difference") == pytest.approx(0.5, abs=0.02)  # the default share
