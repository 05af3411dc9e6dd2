"""Effects end with their programmes: levers return to the baseline within the documented time."""

from __future__ import annotations

import numpy as np

from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.experiment import baseline_of
from ampsim.studies.evaluation.paired import paired_runs

SETTINGS = RunSettings(scale=0.01, seed=2, months=16, spin_up_months=12)


def test_sensors_are_withdrawn_and_awareness_returns_within_a_year():
    """DIAMS-style sensors for three months: awareness in the zone rises, the sensors go at the
    end, and a year later the gap to the baseline is within 15 % of what it was (awareness closes
    1/6 of the gap a month: (5/6)^12 = 11 %)."""
    scenario = Scenario(
        name="sensors",
        interventions=[
            {"type": "sensor_rollout", "zones": [13203], "portable_sensors": 2000, "end": "2026-03"}
        ],
    )
    gaps = []
    with paired_runs(baseline_of(scenario), scenario, SETTINGS) as pair:
        zone = pair.scenario.territory.select(13203)[0]
        while pair.running:
            pair.step()
            mean = [
                m.residents.awareness[m.residents.zone == zone].mean() for m in (pair.baseline, pair.scenario)
            ]
            gaps.append(mean[1] - mean[0])
        low_cost = [s for s in pair.scenario.sensors.agents if s.kind != "reference"]
    assert not low_cost
    at_end = gaps[2]  # month 3, the last with sensors
    assert at_end > 5  # on the 0-255 scale
    assert gaps[14] <= 0.15 * at_end, gaps


def test_science_park_tenants_lose_its_support_after_its_end():
    scenario = Scenario(
        name="park", interventions=[{"type": "science_park", "end": "2026-06", "extra_startups_per_year": 60}]
    )
    settings = RunSettings(scale=0.01, seed=2, months=9, spin_up_months=12)
    with paired_runs(baseline_of(scenario), scenario, settings) as pair:
        park = pair.scenario.interventions[0]
        for _ in range(6):
            pair.step()
        tenants = set(park.tenants)
        assert tenants
        supported = [s for s in pair.scenario.startups.agents if s.number in tenants]
        assert all(s.growth_bonus > 0 for s in supported)
        for _ in range(3):
            pair.step()
        after = [s for s in pair.scenario.startups.agents if s.number in tenants]
        assert after and all(np.isclose(s.growth_bonus, 0.0) for s in after)
        assert all(np.isclose(s.hazard_multiplier, 1.0) for s in after)
        assert not pair.scenario.startups.extra_foundings
