"""Transit and car restrictions change job access, not only modes (the spatial-mismatch channel)."""

from __future__ import annotations

import numpy as np

from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.experiment import baseline_of
from ampsim.studies.evaluation.paired import paired_runs

NORTH = [13213, 13214, 13215, 13216]  # Marseille's northern arrondissements
SETTINGS = RunSettings(scale=0.02, seed=5, months=6, spin_up_months=12)


def finds_and_seekers(intervention: dict, end: str = "2026-01") -> tuple[np.ndarray, np.ndarray]:
    """Hires of the northern arrondissements' residents and their unemployed, month by month, in
    the baseline (row 0) and with the intervention (row 1), which starts in the first month and
    acts until `end` (a transit improvement, once built, stays; a car restriction ends)."""
    scenario = Scenario(name="policy", interventions=[{**intervention, "start": "2026-01", "end": end}])
    hires, unemployed = np.zeros((2, SETTINGS.months)), np.zeros((2, SETTINGS.months))
    with paired_runs(baseline_of(scenario), scenario, SETTINGS) as pair:
        north = np.concatenate([pair.scenario.territory.select(code) for code in NORTH])
        for month in range(SETTINGS.months):
            unemployed[:, month] = [
                m.labour.unemployed_by_zone[north].sum() for m in (pair.baseline, pair.scenario)
            ]
            pair.step()
            hires[:, month] = [m.labour.hires_by_home[north].sum() for m in (pair.baseline, pair.scenario)]
    return hires, unemployed


def test_transit_in_the_north_raises_its_residents_job_finding_rate():
    hires, unemployed = finds_and_seekers(
        {"type": "transit_improvement", "zones": NORTH, "transit_bonus": 0.4}
    )
    rate = hires.sum(axis=1) / unemployed.sum(axis=1)
    assert rate[1] > rate[0] * 1.03, rate  # by the elasticity: about +9 % for a 0.4-logit bonus


def test_a_car_restriction_lowers_job_access():
    hires, unemployed = finds_and_seekers(
        {"type": "low_emission_zone", "zones": ["Marseille"], "car_penalty": 0.6, "phase_in_months": 1},
        end="2026-06",  # in force over the six months measured
    )
    rate = hires.sum(axis=1) / unemployed.sum(axis=1)
    assert rate[1] < rate[0], rate
