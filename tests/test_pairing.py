"""Common random numbers hold for startups: a policy that adds foundings leaves the other startups'
lives as they were, when the region's investors have room for every round (with a limited capacity
the new startups compete for rounds too: `test_investors.py`), and a policy with no startup channel
changes no startup indicator at all once the air's effects on deaths and moves are off (with them,
cleaner air keeps residents alive and draws movers, and who looks for work changes)."""

import numpy as np
import pytest
from pydantic import TypeAdapter

from ampsim.interventions import InterventionSpec
from ampsim.model import AMPModel

SPECS = TypeAdapter(list[InterventionSpec])
STARTUP_INDICATORS = (
    "startups_alive",
    "startup_jobs",
    "startups_incubated",
    "startups_founded",
    "startups_closed",
    "startup_hires",
    "startup_hires_priority",
    "funding_raised_eur",
)
# foundings only, in a zone beyond every incubator's reach (45 km from the nearest), so that the
# new startups compete with the others for nothing but residents
FOUNDINGS_ONLY = {
    "type": "science_park",
    "name": "foundings only",
    "zones": [13078],  # Port-Saint-Louis-du-Rhône
    "sectors": ["digital", "water"],
    "extra_startups_per_year": 60,
    "hazard_multiplier": 1.0,
    "growth_bonus": 0.0,
    "jobs": 0,
}
# awareness of air quality changes car use, and nothing that startups see while the air does not
# change deaths or moves (transit would: it changes job access, hence who is looking for work)
AWARENESS_ONLY = {"type": "sensor_rollout", "portable_sensors": 20_000, "fixed_stations": 500}


# investors with room for every round a startup seeks, so that startups compete only for residents
UNLIMITED_INVESTORS = {"startups": {"investor_rounds_per_year": (1e5, 1e5, 1e5)}}
AIR_WITHOUT_EFFECTS = {"exposure": {"air_mortality": False}, "housing": {"air_value_elasticity": 0.0}}


def _model(*specs: dict) -> AMPModel:
    interventions = [config.build() for config in SPECS.validate_python(list(specs))]
    params = UNLIMITED_INVESTORS | AIR_WITHOUT_EFFECTS
    return AMPModel(params, scale=0.01, seed=3, months=36, calibration_months=12, interventions=interventions)


def _lives(model: AMPModel) -> dict[int, tuple]:
    """Each startup's life so far, by its identity: size wanted, stage, funding, incubation."""
    return {
        s.key: (s.desired_size, s.stage, s.funding_eur, s.incubator is not None, s.ever_incubated)
        for s in model.startups.agents
    }


@pytest.fixture(scope="module")
def paired():
    """The baseline and the two policies, stepped side by side; the startups' lives every month."""
    models = {"baseline": _model(), "foundings": _model(FOUNDINGS_ONLY), "awareness": _model(AWARENESS_ONLY)}
    lives: dict[str, list] = {name: [] for name in models}
    while models["baseline"].running:
        for name, model in models.items():
            model.step()
            lives[name].append(_lives(model))
    yield models, lives
    for model in models.values():
        model.close()


def test_added_foundings_leave_every_other_startup_on_its_trajectory(paired):
    models, lives = paired
    common = differing = 0
    for base, other in zip(lives["baseline"], lives["foundings"], strict=True):
        shared = base.keys() & other.keys()
        common += len(shared)
        differing += sum(base[key] != other[key] for key in shared)
    added = models["foundings"].interventions[0].foundings
    assert added and sum(len(month) for month in lives["foundings"]) > sum(len(m) for m in lives["baseline"])
    assert common > 20_000
    assert differing == 0


def test_a_policy_without_a_startup_channel_changes_no_startup_indicator(paired):
    models, _ = paired
    base, aware = models["baseline"].metrics.metro_rows, models["awareness"].metrics.metro_rows
    for row_base, row_aware in zip(base, aware, strict=True):
        for indicator in STARTUP_INDICATORS:
            assert row_aware[indicator] == row_base[indicator], (row_base["date"], indicator)
    car_share = np.array([r["car_share"] for r in aware]) - np.array([r["car_share"] for r in base])
    assert car_share.min() < 0  # the policy did act


def test_startup_identities_do_not_depend_on_founding_order(paired):
    """The same startup has the same identity and attributes in both runs, whatever was founded
    before it in other zones or by the policy."""
    models, _ = paired
    base = {s.key: (s.zone, s.founded_month, s.sector, s.quality) for s in models["baseline"].startups.agents}
    other = {
        s.key: (s.zone, s.founded_month, s.sector, s.quality) for s in models["foundings"].startups.agents
    }
    shared = base.keys() & other.keys()
    assert len(shared) > 500
    assert all(base[key] == other[key] for key in shared)
    numbers_differ = {s.key: s.number for s in models["baseline"].startups.agents}
    renumbered = sum(
        numbers_differ[s.key] != s.number
        for s in models["foundings"].startups.agents
        if s.key in numbers_differ
    )
    assert renumbered > 0  # run-local numbers shift, and nothing depends on them
