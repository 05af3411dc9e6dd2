"""Virtual experiments: participants against the same residents in the paired baseline."""

from __future__ import annotations

import numpy as np
import pytest

from ampsim.cli.main import main
from ampsim.interventions.youth_training import YouthTraining, YouthTrainingConfig
from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.evidence import Measurement
from ampsim.studies.evaluation.experiment import baseline_of
from ampsim.studies.evaluation.paired import paired_runs
from ampsim.studies.evaluation.panels import ResidentPanel
from ampsim.studies.evaluation.youth_experiments import employment_points, measure_trainees
from ampsim.world.residents import Status

SETTINGS = RunSettings(scale=0.01, seed=3, months=14, spin_up_months=12)


def youth_scenario(**fields) -> Scenario:
    programme = {"type": "youth_training", "seats_per_year": 20000, **fields}
    return Scenario(name="youth", interventions=[programme])


def test_a_programme_that_does_nothing_has_exactly_no_effect():
    """Seats that nobody can take (a budget of zero: the programme is not funded): the paired runs
    are identical, so no resident differs; with seats, the trainees are followed."""
    unfunded = measure_trainees(baseline_of(youth_scenario()), youth_scenario(budget_eur=0), SETTINGS)
    assert all(m.participants == 0 for m in unfunded.values())
    funded = measure_trainees(baseline_of(youth_scenario()), youth_scenario(), SETTINGS)
    six = funded["youth_training.employment_6m"]
    assert six.participants > 20
    assert 0 <= six.treated <= 100 * six.participants and 0 <= six.control <= 100 * six.participants


def test_the_counterfactual_is_the_same_resident_in_the_baseline():
    """In the month of entry, each entrant is in the baseline too, same age and sex, and was a NEET
    there when the month began (the programme took them from unemployment or inactivity; in the
    baseline some find a job within that month)."""
    scenario = youth_scenario()
    with paired_runs(baseline_of(scenario), scenario, SETTINGS) as pair:
        status_before = pair.baseline.residents.status.copy()
        pair.step()
        programme = next(i for i in pair.scenario.interventions if isinstance(i, YouthTraining))
        slots = programme.entrants
        assert slots.size > 0
        base, treated = pair.baseline.residents, pair.scenario.residents
        assert np.array_equal(base.age_months[slots], treated.age_months[slots])
        assert np.array_equal(base.sex[slots], treated.sex[slots])
        assert np.isin(status_before[slots], [Status.UNEMPLOYED, Status.INACTIVE]).all()
        # in training, or dropped out to job search (and perhaps a job) within their first month
        assert np.isin(treated.status[slots], [Status.IN_TRAINING, Status.UNEMPLOYED, Status.EMPLOYED]).all()
        assert np.mean(treated.status[slots] == Status.IN_TRAINING) > 0.6  # a month of 8.5 % dropout
        panel = ResidentPanel(horizons=(0,), outcome=employment_points)
        panel.enrol(pair.scenario, slots)
        panel.observe(pair.scenario, pair.baseline)
        assert panel.measurement(0).participants == slots.size  # nobody lost at entry


def test_paired_standard_error_from_paired_differences():
    """Differences of +100 for half of 100 participants and 0 for the rest: mean 50, sd 50.25."""
    m = Measurement(treated=5000.0, control=0.0, participants=100, squares=50 * 100.0**2)
    assert m.effect("difference") == pytest.approx(50.0)
    assert m.paired_standard_error() == pytest.approx(np.sqrt(2500 * 100 / 99 / 100))


@pytest.mark.parametrize("boost_months, kept", [(None, True), (1.0, False)])
def test_the_programme_boost_ends_with_its_support(boost_months, kept):
    """After completion a trainee keeps the programme's mark (its search boost) until a job when the
    boost lasts, and loses it within a month when `boost_months` is 1."""
    scenario = Scenario(
        name="youth",
        interventions=[
            YouthTrainingConfig(
                seats_per_year=20000,
                duration_months=1,
                completion_rate=1.0,
                search_boost=2.0,
                boost_months=boost_months,
                end="2026-01",
            )
        ],
    )
    settings = RunSettings(scale=0.01, seed=3, months=4, spin_up_months=12)
    with paired_runs(baseline_of(scenario), scenario, settings) as pair:
        pair.step()
        programme = next(i for i in pair.scenario.interventions if isinstance(i, YouthTraining))
        slots, mark = programme.entrants.copy(), programme.mark
        r = pair.scenario.residents
        age = r.age_months[slots].astype(int)
        for _ in range(3):
            pair.step()
        same = r.age_months[slots] == age + 3  # not a newcomer in the slot of one who left
        # unemployed without a break since completing (a job, even one lost within a month, ends the mark)
        spell = (r.status[slots] == Status.UNEMPLOYED) & (r.months_in_status[slots] >= 3)
        searching = slots[spell & same]
        assert searching.size >= 4
        marked = np.mean(r.trained[searching] == mark)
        assert (marked == 1.0) if kept else (marked == 0.0)


def test_evaluate_lists_its_experiments_and_refuses_unknown_names(capsys, tmp_path):
    assert main(["evaluate", "--list"]) == 0
    assert "youth_training.employment_16m" in capsys.readouterr().out
    out = tmp_path / "evaluation"
    assert main(["evaluate", "no_such_programme", "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(
        "ampsim evaluate: error: unknown experiment 'no_such_programme'"
    )
    assert not out.exists()
