"""Interventions act through the model's state, account for their spending, and scenario
differences are paired by common random numbers."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter

from ampsim.interventions import InterventionSpec
from ampsim.interventions.low_emission_zone import fleet_factors
from ampsim.model import AMPModel, RunSettings
from ampsim.scenarios.loading import load_scenario
from ampsim.studies.replicates import StudySettings, run_study
from ampsim.studies.runner import run_scenario
from ampsim.submodels.pollution import PollutionParameters

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))
SPECS = TypeAdapter(list[InterventionSpec])


def build(*specs: dict):
    return [config.build() for config in SPECS.validate_python(list(specs))]


def small_model(*specs: dict, months: int = 6) -> AMPModel:
    return AMPModel(scale=0.01, seed=3, months=months, calibration_months=6, interventions=build(*specs))


def run_months(model: AMPModel) -> AMPModel:
    while model.running:
        model.step()
    return model


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_scenario_file_validates_and_runs(path):
    scenario = load_scenario(path)
    result = run_scenario(scenario, scale=0.01, seed=1, months=3, spin_up_months=3)
    assert len(result.metro) == 3
    for config in scenario.interventions:
        if config.budget_eur:
            assert f"spent_{config.label}" in result.metro.columns or any(
                column.startswith(f"spent_{config.label}") for column in result.metro.columns
            )


def test_urban_renewal_adds_homes_jobs_and_amenity_and_spends_evenly():
    model = small_model(
        {
            "type": "urban_renewal",
            "zones": [13215],
            "start": "2026-01",
            "end": "2026-12",
            "housing_units": 10_000,
            "jobs": 10_000,
            "amenity_gain": 0.2,
            "budget_eur": 1.2e9,
        }
    )
    zone = model.territory.zone_index(13215)
    capacity, jobs = model.housing.capacity[zone], model.labour.jobs[zone]
    run_months(model)
    renewal = model.interventions[0]
    assert model.housing.capacity[zone] - capacity == pytest.approx(6 / 12 * 10_000 * 2.1 * 0.01, abs=1)
    assert model.labour.jobs[zone] > jobs + 0.9 * 6 / 12 * 10_000 * 0.01 * (1 - 0.01)
    assert model.housing.amenity[zone] == pytest.approx(1 + 0.2 * 6 / 12)
    assert renewal.spent_total == pytest.approx(6e8)  # half the schedule, half the budget
    spent = [row["spent_urban_renewal"] for row in model.metrics.metro_rows]
    assert spent == pytest.approx([1e8] * 6)


def test_low_emission_zone_and_transit_act_on_levers():
    model = small_model(
        {
            "type": "low_emission_zone",
            "zones": ["Marseille 1er"],
            "banned_from_class": 3,
            "compliance": 1.0,
            "car_penalty": 0.5,
            "phase_in_months": 2,
            "end": "2026-04",
        },
        {"type": "transit_improvement", "zones": ["Aix-en-Provence"], "transit_bonus": 0.6, "end": "2026-03"},
    )
    first, aix = model.territory.zone_index("Marseille 1er"), model.territory.zone_index("Aix-en-Provence")
    model.step()
    nox, exhaust = fleet_factors(model.pollution.params, 3, 0.5)  # half the effect after a month
    assert model.pollution.road_nox_factor_by_zone[first] == pytest.approx(nox)
    assert model.pollution.road_exhaust_factor_by_zone[first] == pytest.approx(exhaust)
    assert model.pollution.road_emission_scale_by_zone[first] == 1.0  # as many vehicle-km, cleaner ones
    assert model.commuting.lez_penalty[first] == pytest.approx(0.25)
    assert model.commuting.transit_bonus[aix] == pytest.approx(0.2)
    run_months(model)
    # the zone is lifted after its end; the transit stays built
    assert model.pollution.road_nox_factor_by_zone[first] == pytest.approx(1.0)
    assert model.pollution.road_exhaust_factor_by_zone[first] == pytest.approx(1.0)
    assert model.commuting.lez_penalty[first] == pytest.approx(0.0)
    assert model.commuting.transit_bonus[aix] == pytest.approx(0.6)


def test_a_ban_cuts_nox_and_exhaust_pm_only():
    """Banning Crit'Air 3 and worse: NOx falls with the fleet's mix, exhaust PM with the banned
    classes' (brake, tyre and road wear are kept apart by the pollution model), and a wider ban cuts
    more."""
    params = PollutionParameters()
    nox, exhaust = fleet_factors(params, 3, 1.0)
    assert params.fleet_exhaust_pm_g_per_km == pytest.approx(
        np.dot(params.critair_fleet_share, params.critair_exhaust_pm10_g_per_km)
    )
    assert 0.55 < nox < 0.75  # the banned 30.5 % emit half the fleet's NOx
    assert 0.05 < exhaust < 0.3  # and most of its exhaust particles
    assert fleet_factors(params, 3, 0.0) == (1.0, 1.0)
    assert fleet_factors(params, 4, 1.0)[0] > nox and fleet_factors(params, 2, 1.0)[0] < nox


def test_industrial_abatement_combines_cuts():
    model = small_model(
        {"type": "industrial_abatement", "sources": ["fos_steelworks"], "reduction": 0.5, "end": "2026-02"},
        {"type": "industrial_abatement", "sources": ["fos_steelworks"], "reduction": 0.2, "end": "2026-01"},
    )
    run_months(model)
    assert model.pollution.point_source_scale["fos_steelworks"] == pytest.approx(0.5 * 0.8)


def test_youth_training_fills_seats_with_neets_of_its_zones():
    model = small_model(
        {
            "type": "youth_training",
            "zones": ["Marseille 15e"],
            "seats_per_year": 24_000,
            "duration_months": 3,
            "budget_eur": 1e9,
            "cost_per_seat_eur": 1000,
        },
        months=2,
    )
    programme = model.interventions[0]
    model.step()
    r = model.residents
    trainees = np.flatnonzero(r.trained == programme.mark)  # minus the month's dropouts
    assert programme.trainees == pytest.approx(24_000 / 12 * 0.01, abs=1)
    assert 0.7 * programme.trainees <= trainees.size <= programme.trainees
    assert np.all(r.zone[trainees] == model.territory.zone_index("Marseille 15e"))
    ages = r.age_months[trainees] // 12
    assert ages.min() >= 16 and ages.max() <= 29
    assert programme.spent_total == pytest.approx(programme.trainees * r.weight * 1000)


def test_seed_fund_tickets_raise_funding_odds_within_budget():
    # 100 real tickets over 4 months, to real startups: 25 a month
    model = small_model({"type": "seed_fund", "budget_eur": 5e6, "ticket_eur": 50_000, "end": "2026-04"})
    model.step()
    fund = model.interventions[0]
    assert fund.paid == 25
    run_months(model)
    assert fund.paid == len(fund.funded) == 100
    assert fund.spent_total == pytest.approx(100 * 50_000)
    funded = [s for s in model.startups.agents if s.key in fund.funded]
    # nothing for life: the ticket acts on the next round, for a window
    assert funded and all(s.funding_multiplier == 1.0 and s.hazard_multiplier == 1.0 for s in funded)
    supports = [support for s in funded for support in s.next_round_support]
    assert len(supports) == len(funded)
    assert all(x.stage == 0 and x.funding_multiplier == 3.0 and x.hazard_multiplier == 0.85 for x in supports)
    assert {x.until_month for x in supports} == {24, 25, 26, 27}  # 24 months from each month's tickets


def test_sensor_rollout_places_sensors_and_triggers_restrictions():
    model = small_model(
        {
            "type": "sensor_rollout",
            "portable_sensors": 20_000,
            "fixed_stations": 100,
            "trigger_pollutant": "NO2",
            "trigger_threshold": 1.0,
            "budget_eur": 1e7,
        },
        months=3,
    )
    run_months(model)
    rollout = model.interventions[0]
    low_cost = [s for s in model.sensors.agents if s.kind == "low_cost"]
    assert len(low_cost) == 20_100  # every sensor, whatever the residents' scale
    assert rollout.triggers > 0  # every zone reads above 1 µg/m³
    assert model.pollution.road_emission_scale_by_zone[rollout.restricted].max() < 1
    assert model.residents.awareness.mean() / 255 > model.params.sensors.base_awareness


def _metro(result) -> pd.DataFrame:
    return result.metro.drop(columns=[c for c in result.metro.columns if c.startswith("spent_")])


def test_identical_scenario_and_zero_budget_give_exactly_zero_difference(tmp_path):
    baseline = load_scenario(SCENARIOS[[p.stem for p in SCENARIOS].index("baseline")])
    (tmp_path / "copy.yaml").write_text("name: copy\nextends: base.yaml\n")
    (tmp_path / "base.yaml").write_text(Path(baseline.sources[0]).read_text())
    (tmp_path / "unfunded.yaml").write_text(
        "name: unfunded\nextends: base.yaml\ninterventions:\n"
        "  - {type: urban_renewal, budget_eur: 0}\n  - {type: youth_training, budget_eur: 0}\n"
    )
    scenarios = [load_scenario(tmp_path / f) for f in ("base.yaml", "copy.yaml", "unfunded.yaml")]
    settings = StudySettings(RunSettings(seed=7, scale=0.01, months=4, start="2026-01"), replicates=2)
    runs = run_study(scenarios, settings, workers=1)
    for r in range(2):
        base = _metro(runs["baseline"][r])
        pd.testing.assert_frame_equal(_metro(runs["copy"][r]), base)
        pd.testing.assert_frame_equal(_metro(runs["unfunded"][r]), base)
        pd.testing.assert_frame_equal(runs["unfunded"][r].zones, runs["baseline"][r].zones)


def test_common_random_numbers_make_paired_differences_precise():
    """A small programme: paired differences vary far less than differences of unpaired runs."""
    specs = [{"type": "youth_training", "zones": ["Marseille 3e"], "seats_per_year": 3000, "budget_eur": 1e9}]
    outcome = []
    for seed in range(4):
        for policy in ((), specs):
            model = AMPModel(
                scale=0.01,
                seed=seed,
                months=12,
                calibration_months=12,
                interventions=build(*policy) if policy else (),
            )
            run_months(model)
            outcome.append(np.mean([row["neet_share"] for row in model.metrics.metro_rows[-3:]]))
            model.close()
    base, policy = np.array(outcome[0::2]), np.array(outcome[1::2])
    paired = policy - base
    unpaired = policy - np.roll(base, 1)  # each policy run against another seed's baseline
    assert paired.std() < 0.25 * unpaired.std()
    assert np.all(paired < 0)  # the programme takes NEETs into training in every replicate


def test_a_science_park_and_triggered_restrictions_end_with_their_schedule():
    model = small_model(
        {"type": "science_park", "extra_startups_per_year": 24, "end": "2026-02"},
        {
            "type": "sensor_rollout",
            "portable_sensors": 8000,
            "trigger_pollutant": "NO2",
            "trigger_threshold": 5,
            "restriction_months": 12,
            "end": "2026-03",
        },
        months=4,
    )
    park, rollout = model.interventions
    for _ in range(2):
        model.step()
    assert len(park.foundings) == 1 and model.startups.extra_foundings == park.foundings
    model.step()  # month 3: the park's schedule is over
    assert model.startups.extra_foundings == [] and park.foundings == []
    assert rollout.restricted.any()
    model.step()  # month 4: the rollout's schedule is over
    assert not rollout.restricted.any()
    assert model.pollution.road_emission_scale_by_zone == pytest.approx(1.0)
    assert model.commuting.lez_penalty == pytest.approx(0.0)


def test_renewal_and_a_participatory_budget_add_their_amenity_in_a_shared_zone():
    renewal = {"type": "urban_renewal", "zones": [13203], "end": "2026-06", "amenity_gain": 0.2}
    budget = {"type": "participatory_budget", "zones": [13203], "eur_per_resident": 50.0}
    zone = AMPModel(scale=0.01, seed=3, months=1, calibration_months=6).territory.zone_index(13203)
    amenity = {}
    for name, specs in {"renewal": [renewal], "budget": [budget], "both": [renewal, budget]}.items():
        model = run_months(small_model(*specs, months=6))
        amenity[name] = model.housing.amenity[zone]
    assert amenity["renewal"] == pytest.approx(1.2)
    assert amenity["budget"] > 1.0
    assert amenity["both"] == pytest.approx(amenity["renewal"] + amenity["budget"] - 1.0)
