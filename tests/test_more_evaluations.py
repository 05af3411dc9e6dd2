"""Virtual experiments of transit, citizen sensors and participatory budgets, and the verdicts of
checks that are calibrated on their evidence or rest on an assumption."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.access_experiments import measure_transit
from ampsim.studies.evaluation.catalogue import EXPERIMENTS
from ampsim.studies.evaluation.evaluate import markdown_table, verdict_counts
from ampsim.studies.evaluation.evidence import Evidence
from ampsim.studies.evaluation.experiment import baseline_of
from ampsim.studies.evaluation.information_experiments import ENROL_MONTH, HORIZON_MONTHS, measure_information
from ampsim.studies.evaluation.participation_experiments import MONTHS, measure_participation

NORTH = [13213, 13214, 13215, 13216]


def settings(months: int) -> RunSettings:
    return RunSettings(scale=0.01, seed=5, months=months, spin_up_months=12)


def programme(**fields) -> Scenario:
    return Scenario(name="policy", interventions=[fields])


def test_transit_raises_the_job_finding_rate_of_the_served_zones_after_completion():
    scenario = programme(
        type="transit_improvement", zones=NORTH, start="2026-01", end="2026-01", transit_bonus=0.4
    )
    measured = measure_transit(baseline_of(scenario), scenario, settings(13))["transit.job_finding"]
    assert measured.participants > 100  # unemployed resident-months over the year after completion
    assert measured.effect("ratio") > 1.02  # about +9 % at elasticity 0.5


def test_sensors_follow_the_residents_they_made_aware():
    months = settings(ENROL_MONTH + HORIZON_MONTHS)
    sensors = dict(type="sensor_rollout", start="2026-01", end="2028-12", portable_sensors=2000)
    scenario = programme(**sensors)
    measured = measure_information(baseline_of(scenario), scenario, months)
    pm25, car = measured["sensors.pm25_breathed"], measured["sensors.car_commuting"]
    assert pm25.participants > 50 and pm25.participants == car.participants
    assert 0.9 < pm25.effect("ratio") < 1.0  # aware residents avoid a little of what they breathe
    unfunded = programme(**sensors, budget_eur=0)
    nothing = measure_information(baseline_of(unfunded), unfunded, months)
    assert nothing["sensors.pm25_breathed"].participants == 0  # nobody's awareness changed


def test_a_participatory_budget_raises_rents_and_does_nothing_without_money():
    budget = dict(type="participatory_budget", zones=[13203, 13077], eur_per_resident=50.0)
    scenario = programme(**budget)
    measured = measure_participation(baseline_of(scenario), scenario, settings(MONTHS))
    assert measured["participatory_budget.rent"].effect("ratio") > 1.0  # amenity: a dearer zone
    assert measured["participatory_budget.residents"].participants > 100
    unfunded = programme(**budget, budget_eur=0)
    same = measure_participation(baseline_of(unfunded), unfunded, settings(MONTHS))
    assert same["participatory_budget.residents"].effect("ratio") == 1.0
    assert same["participatory_budget.rent"].effect("ratio") == 1.0


def test_verdicts_say_when_a_check_is_circular_or_has_no_evaluation():
    evaluated = Evidence("study", 1.0, 0.5, 1.5, "published")
    calibrated = Evidence("study", 1.0, 0.5, 1.5, "derived", status="calibrated")
    assumption = Evidence("none", float("nan"), float("nan"), float("nan"), "none", status="assumption")
    assert [evaluated.verdict(1.0), evaluated.verdict(2.0)] == ["yes", "no"]
    assert calibrated.verdict(2.0) == "no (calibrated on it)" and not assumption.contains(1.0)
    assert assumption.verdict(1.0) == "no evaluation: assumption"
    table = pd.DataFrame(
        {
            "programme": "p",
            "check": ["a", "b", "c"],
            "outcome": "o",
            "horizon": "h",
            "participants": 10,
            "model": [1.0, 2.0, 1.0],
            "model_low": 0.0,
            "model_high": 3.0,
            "evaluation": 1.0,
            "evaluation_low": 0.5,
            "evaluation_high": 1.5,
            "inside": [True, False, False],
            "verdict": ["yes", "no (calibrated on it)", "no evaluation: assumption"],
            "evidence": ["evaluated", "calibrated", "assumption"],
            "study": "s",
            "interval_basis": "b",
        }
    )
    assert verdict_counts(table) == (
        "1 of 2 checks inside their evaluation's interval (1 calibrated on it); "
        "1 without evaluation (assumptions)"
    )
    assert "**no** (calibrated on it)" in markdown_table(table)


def test_every_programme_type_of_the_issue_has_an_experiment():
    types = {e.programme_type for e in EXPERIMENTS}
    assert {
        "youth_training",
        "urban_renewal",
        "seed_fund",
        "incubator",
        "low_emission_zone",
        "transit_improvement",
        "sensor_rollout",
        "participatory_budget",
    } <= types
    assert len({e.name for e in EXPERIMENTS}) == len(EXPERIMENTS)
    assert all(
        np.isnan(c.evidence.low) for e in EXPERIMENTS for c in e.checks if c.evidence.status == "assumption"
    )
