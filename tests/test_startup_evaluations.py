"""The seed fund's effect ends with its window, incubation is selective and its places add incubated
startups, and the startup virtual experiments measure something."""

import pytest
from pydantic import TypeAdapter

from ampsim.interventions import InterventionSpec
from ampsim.model import AMPModel, RunSettings
from ampsim.studies.evaluation.experiment import baseline_of
from ampsim.studies.evaluation.startup_experiments import (
    INCUBATORS,
    SEED_FUND,
    ever_incubated_share,
    measure_incubators,
    measure_seed_fund,
)
from ampsim.studies.runner import build_model
from ampsim.submodels.startups import NextRoundSupport

SPECS = TypeAdapter(list[InterventionSpec])
SCALE = 0.005


def _model(*specs: dict, months: int, calibration_months: int = 12, seed: int = 2) -> AMPModel:
    interventions = [config.build() for config in SPECS.validate_python(list(specs))]
    return AMPModel(
        scale=SCALE,
        seed=seed,
        months=months,
        calibration_months=calibration_months,
        interventions=interventions,
    )


def _incubated(model: AMPModel) -> int:
    return sum(len(i.residents) for i in model.incubators.agents)


def _places(model: AMPModel) -> int:
    return sum(i.capacity for i in model.incubators.agents)


def test_next_round_support_acts_on_the_next_round_within_its_window_only():
    support = NextRoundSupport(stage=0, until_month=24, funding_multiplier=3.0, hazard_multiplier=0.85)
    assert support.funding(0, 1) == support.funding(0, 24) == 3.0
    assert support.funding(0, 25) == 1.0  # the window is over
    assert support.funding(1, 10) == 1.0  # the next round is raised: later rounds are not boosted
    assert support.hazard(24) == 0.85 and support.hazard(25) == 1.0


def test_a_funded_startup_is_not_boosted_after_the_window():
    # 20 tickets in January and February 2026, acting for three months
    fund = {"type": "seed_fund", "budget_eur": 1e6, "end": "2026-02", "effect_months": 3}
    model = _model(fund, months=6)
    model.step()
    programme = model.interventions[0]
    funded = [s for s in model.startups.agents if s.key in programme.funded]
    assert funded and all(s.stage == 0 or s.next_round_support[0].stage == 0 for s in funded)
    for startup in funded:
        boosted = startup.support_funding_multiplier(model.month)
        assert boosted == (3.0 if startup.stage == 0 else 1.0)
        assert startup.support_hazard_multiplier(model.month) == 0.85
        assert startup.funding_multiplier == 1.0 and startup.hazard_multiplier == 1.0  # nothing for life
    while model.running:
        model.step()
    for startup in [s for s in model.startups.agents if s.key in programme.funded]:
        assert startup.support_funding_multiplier(model.month) == 1.0
        assert startup.support_hazard_multiplier(model.month) == 1.0
        age = startup.age_months(model.month)
        plain = model.startups.params.hazard_years_1_3 if age < 36 else model.startups.params.hazard_years_4_5
        plain *= model.startups.params.funded_hazard_multiplier if startup.stage >= 1 else 1.0
        if startup.incubator is None and model.month > startup.post_programme_until:
            assert model.startups.hazard(startup, age, model) == pytest.approx(plain)
    model.close()


def test_a_quarter_to_a_third_of_new_startups_are_ever_incubated():
    model = _model(months=48)
    while model.running:
        model.step()
    incubated, founded = ever_incubated_share(model, 1, 24)  # cohorts past the 24-month age limit
    model.close()
    assert founded > 200
    assert 0.25 <= incubated / founded <= 0.33


def test_the_incubator_scenario_raises_the_incubated_count_by_its_places():
    scenario = INCUBATORS.scenario()
    settings = RunSettings(scale=SCALE, seed=2, months=12, spin_up_months=12)
    base, model = build_model(baseline_of(scenario), settings), build_model(scenario, settings)
    gaps = []
    while model.running:
        base.step()
        model.step()
        if model.month >= 6:  # the new places' first intake
            gaps.append(_incubated(model) - _incubated(base))
    places = _places(model) - _places(base)
    base.close()
    model.close()
    assert places == 20 + 30
    assert gaps[0] == places  # every added place is filled at the intake
    assert all(0.85 * places <= gap <= places + 5 for gap in gaps)  # less the month's closures inside


def test_the_seed_fund_measure_follows_funded_startups_in_both_runs():
    scenario = SEED_FUND.scenario()
    settings = RunSettings(scale=SCALE, seed=2, months=30, spin_up_months=12)
    measured = measure_seed_fund(baseline_of(scenario), scenario, settings)
    rounds = measured["seed_fund.next_round_24m"]
    assert rounds.participants >= 5  # tickets of months 1-6, followed 24 months
    assert 0 <= rounds.control <= rounds.treated <= rounds.participants
    assert measured["seed_fund.job_years_60m"].participants == 0  # no five years of follow-up yet
    net = measured["seed_fund.net_job_years"]  # every startup's job-years over the 30 months, per ticket
    assert net.participants == round(1e7 / 50_000 * 30 / 120)  # the tickets paid by then: 50
    assert net.control > 1000  # about 800 startups of a few jobs each, 30 months
    # the sign after 30 months is the evaluation's business (the rounds the funded startups take
    # from others can outweigh theirs early on): here only that it is a few job-years a ticket
    assert abs(net.effect("difference")) < 20


def test_the_incubator_measure_follows_the_startups_the_places_brought_in():
    scenario = INCUBATORS.scenario()
    settings = RunSettings(scale=SCALE, seed=2, months=20, spin_up_months=12)
    measured = measure_incubators(baseline_of(scenario), scenario, settings)
    alive = measured["incubators.survival_12m"]
    assert alive.participants >= 30  # the 50 places' first intake, month 6
    assert 0 <= alive.control <= 100 * alive.participants and 0 <= alive.treated <= 100 * alive.participants
    assert measured["incubators.unmatched"].treated <= 0.1 * alive.participants
