"""A programme's own fields as calibration parameters (`interventions.K.FIELD`): checked against the
starting scenario's programme, set in the scenario only, evaluated by the programme's virtual
experiment, and written into the calibrated scenario."""

import os
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hostile import ROOT

from ampsim.cli.main import main
from ampsim.scenarios.loading import load_scenario
from ampsim.studies.calibration import CalibrationResult, calibrated_yaml, search_space
from ampsim.studies.calibration_file import CHECKS, evaluated_scenario, load_calibration

SEED_FUND = ROOT / "scenarios" / "seed_fund.yaml"


def calibration_file(folder: Path, parameters: str) -> Path:
    path = folder / "programme.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            name: programme
            scenario: {os.path.relpath(SEED_FUND, folder)}
            settings: {{scale: 0.005, months: 24, spin_up_months: 6}}
            trials: 4
            parameters: {parameters}
            targets: [{{kind: effect, check: seed_fund.next_round_24m, value: 2.0, sd: 0.25}}]
            """
        ),
        encoding="utf-8",
    )
    return path


def test_a_programme_field_is_searched_in_the_scenario_and_written_into_the_calibrated_one(tmp_path):
    parameters = (
        "{interventions.0.funding_multiplier: {low: 2, high: 4}, interventions.0.effect_months: {low: 12, "
        "high: 36}, startups.quality_funding: {low: 0.3, high: 0.7}}"
    )
    loaded = load_calibration(calibration_file(tmp_path, parameters))
    values = {"interventions.0.funding_multiplier": 2.5, "interventions.0.effect_months": 18}
    values["startups.quality_funding"] = 0.6
    trial = loaded.scenario(values)
    [fund] = trial.interventions
    assert (fund.funding_multiplier, fund.effect_months) == (2.5, 18)
    assert trial.model_parameters().startups.quality_funding == 0.6
    integer = {name: flag for name, *_, flag in search_space(loaded).parameters}
    assert integer == {
        "interventions.0.funding_multiplier": False,
        "interventions.0.effect_months": True,
        "startups.quality_funding": False,
    }
    # the seed fund's checks evaluate the trial's own fund; another programme's, its own scenario
    experiment, _ = CHECKS["seed_fund.next_round_24m"]
    assert evaluated_scenario(experiment, trial) is trial
    youth, _ = CHECKS["youth_training.employment_16m"]
    other = evaluated_scenario(youth, trial)
    assert [i.type for i in other.interventions] == ["youth_training"]
    assert other.model_parameters().startups.quality_funding == 0.6
    # the calibrated scenario extends the starting one, with its programmes as calibrated
    best = {"number": 3, "loss": 0.1, "params": values, "model": {}}
    fit = pd.DataFrame([{"target": "seed_fund.next_round_24m", "z": 0.3}])
    result = CalibrationResult(trials=pd.DataFrame(), best=best, fit=fit, completed=4)
    out = tmp_path / "out"
    out.mkdir()
    (out / "calibrated.yaml").write_text(calibrated_yaml(result, loaded, out, "2026-12-03"), encoding="utf-8")
    calibrated = load_scenario(out / "calibrated.yaml")
    [fund] = calibrated.interventions
    assert (fund.funding_multiplier, fund.effect_months, fund.ticket_eur) == (2.5, 18, 50_000)
    assert calibrated.model_parameters().startups.quality_funding == 0.6


BAD_FIELDS = {
    "no such programme": (
        "{interventions.2.funding_multiplier: {low: 2, high: 4}}",
        "the starting scenario has 1 programme(s), numbered from 0",
    ),
    "no such field": (
        "{interventions.0.funding_multipler: {low: 2, high: 4}}",
        "programme 0 (seed_fund) has no number field 'funding_multipler'; its number fields: ",
    ),
    "not a number": ("{interventions.0.sectors: {low: 0, high: 1}}", "has no number field 'sectors'"),
    "outside the field's bounds": (
        "{interventions.0.funding_multiplier: {low: 0.5, high: 4}}",
        "the range [0.5, 4] goes outside the parameter's own bounds [1, 10]",
    ),
    "not a field path": (
        "{interventions.first.funding_multiplier: {low: 2, high: 4}}",
        "expected interventions.K.FIELD",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FIELDS))
def test_bad_programme_fields_are_refused_in_one_line(case, tmp_path, capsys):
    parameters, fragment = BAD_FIELDS[case]
    out = tmp_path / "out"
    assert main(["calibrate", str(calibration_file(tmp_path, parameters)), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and f"{tmp_path}/programme.yaml: line 5" in lines[0], lines
    assert fragment in lines[0], lines[0]
    assert captured.out == "" and not out.exists()


@pytest.mark.parametrize("name", ["calibrate_unemployment.yaml", "calibrate_seed_fund.yaml"])
def test_the_project_s_calibration_files_load(name):
    loaded = load_calibration(ROOT / "experiments" / name)
    assert loaded.spec.parameters and loaded.spec.targets
    assert len(search_space(loaded).parameters) == len(loaded.spec.parameters)
