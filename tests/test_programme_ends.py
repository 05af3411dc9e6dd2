"""Effects end with their programmes: levers return to the baseline within the documented time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.experiment import baseline_of
from ampsim.studies.evaluation.paired import paired_runs

ROOT = Path(__file__).resolve().parents[1]
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


def test_participatory_budget_spends_its_envelope_and_its_works_depreciate_after_it():
    """5 € per resident a year for a year: the envelope is spent and recorded; after the end the
    amenity it bought falls at 1/20 a year (the works' life) and the outreach at 1 a year."""
    scenario = Scenario(
        name="pb",
        interventions=[
            {"type": "participatory_budget", "zones": [13203], "eur_per_resident": 5.0, "end": "2026-12"}
        ],
    )
    settings = RunSettings(scale=0.01, seed=2, months=24, spin_up_months=0)
    with paired_runs(baseline_of(scenario), scenario, settings) as pair:
        budget = pair.scenario.interventions[0]
        residents = pair.scenario.territory.population[budget.zones].sum()
        spent = 0.0
        for _ in range(12):
            pair.step()
            spent += pair.scenario.spending_this_month()[budget.name]
        assert spent == pytest.approx(5.0 * residents)
        amenity, outreach = budget.applied["amenity"].copy(), budget.applied["outreach"].copy()
        for _ in range(12):
            pair.step()
        assert budget.applied["amenity"] == pytest.approx(amenity * (1 - 1 / 240) ** 12)
        assert budget.applied["outreach"] == pytest.approx(outreach * (1 - 1 / 12) ** 12)


def test_amenity_per_euro_is_the_same_for_the_participatory_budget_and_urban_renewal():
    """The participatory budget's public space buys amenity at Euroméditerranée's rate per € per
    resident of its zones (review gap G9: it was 800 times more)."""
    from ampsim.interventions.participatory_budget import ParticipatoryBudgetConfig
    from ampsim.scenarios.loading import load_scenario
    from ampsim.world.territory import load_territory

    euromed = load_scenario(ROOT / "scenarios" / "euromediterranee.yaml").interventions[0]
    residents = load_territory().population[euromed.zone_indices()].sum()
    per_eur = euromed.amenity_gain / (euromed.budget_eur / residents)
    assert ParticipatoryBudgetConfig().amenity_per_eur == pytest.approx(per_eur, rel=0.01)
