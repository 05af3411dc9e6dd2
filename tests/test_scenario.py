"""Scenario files: loading, extends, --set overrides, error messages, JSON Schema, provenance.

Every bad input must exit with code 2 and one short message naming the file, the line or the key
path, and what was expected. No model is run here.
"""

import argparse
import json
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from ampsim.cli import main as cli
from ampsim.cli.scenarios import add_scenario_commands
from ampsim.core.errors import InputError
from ampsim.scenarios.loading import ScenarioLoader, load_scenario
from ampsim.scenarios.provenance import resolved_yaml, write_provenance
from ampsim.scenarios.schema import scenario_json_schema

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY_SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def run(capsys, *argv):
    """Run `ampsim ARGV` in-process; (exit code, stdout, stderr)."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:  # argparse exits on usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work in tmp_path so that messages show short file names."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- bad input: one case each --------------------------------------------------------------
RENEWAL = """
name: euromed
interventions:
  - type: urban_renewal
    name: Euromed 2
"""

BAD_INPUTS = {
    "yaml syntax error": (
        {"s.yaml": "name: x\ninterventions:\n  - type: urban_renewal\n   budget_eur: 3\n"},
        [],
        ["s.yaml: line 4, column 4: YAML syntax error", "check the indentation"],
    ),
    "unknown key": (
        {"s.yaml": "name: x\nscal: 0.1\n"},
        [],
        ["s.yaml: line 2: scal: unknown key 'scal'; allowed here: name,", "did you mean 'scale'?"],
    ),
    "unknown key in an intervention": (
        {"s.yaml": RENEWAL + "    budgt_eur: 1.0e+9\n"},
        [],
        ["s.yaml: line 5: interventions[0].budgt_eur: unknown key", "did you mean 'budget_eur'?"],
    ),
    "unknown parameter": (
        {"s.yaml": "name: x\nparameters:\n  labour:\n    matching_elastcity: 0.5\n"},
        [],
        [
            "s.yaml: line 4: parameters.labour.matching_elastcity: unknown parameter",
            "did you mean 'matching_elasticity'?",
        ],
    ),
    "wrong type": (
        {"s.yaml": "name: x\nreplicates: many\n"},
        [],
        ["s.yaml: line 2: replicates: expected a whole number, got 'many'"],
    ),
    "value out of range": (
        {"s.yaml": RENEWAL + "  - type: urban_renewal\n    budget_eur: -5\n"},
        [],
        ["s.yaml: line 6: interventions[1].budget_eur: expected a number in [0, 100000000000], got -5"],
    ),
    "parameter out of range": (
        {"s.yaml": "name: x\nparameters:\n  labour.matching_elasticity: 1.5\n"},
        [],
        ["s.yaml: line 3: parameters.labour.matching_elasticity: expected a number in (0, 1), got 1.5"],
    ),
    "unknown zone": (
        {"s.yaml": RENEWAL + "    zones: [13203, Atlantis]\n"},
        [],
        ["s.yaml: line 5: interventions[0].zones: unknown zone 'Atlantis'", "expected an INSEE code"],
    ),
    "end before start": (
        {"s.yaml": RENEWAL + "    start: 2030-01\n    end: 2029-12\n"},
        [],
        ["s.yaml: line 3: interventions[0]: end 2029-12 is before start 2030-01"],
    ),
    "unknown intervention type": (
        {"s.yaml": "name: x\ninterventions:\n  - type: urban_renewl\n"},
        [],
        [
            "s.yaml: line 3: interventions[0].type: unknown intervention type 'urban_renewl'",
            "known types: urban_renewal, sensor_rollout",
            "did you mean 'urban_renewal'?",
        ],
    ),
    "extends cycle": (
        {"a.yaml": "name: a\nextends: b.yaml\n", "b.yaml": "name: b\nextends: a.yaml\n"},
        [],
        ["b.yaml: line 2: extends: cycle: a.yaml -> b.yaml -> a.yaml"],
    ),
    "missing extends target": (
        {"s.yaml": "name: x\nextends: ../base/baseline.yaml\n"},
        [],
        ["s.yaml: line 2: extends: file not found: '../base/baseline.yaml' (looked for /"],
    ),
    "empty file": ({"s.yaml": "# nothing yet\n"}, [], ["s.yaml: the file is empty; expected a scenario"]),
    "top level not a mapping": (
        {"s.yaml": "- name: x\n"},
        [],
        ["s.yaml: line 1: expected a mapping of keys", "at the top level, got a list"],
    ),
    "duplicate key": (
        {"s.yaml": "name: x\nhorizon:\n  months: 12\n  months: 24\n"},
        [],
        ["s.yaml: line 4: horizon.months: duplicate key 'months': given on line 3 and line 4"],
    ),
    "parameter given twice": (
        {
            "s.yaml": "name: x\nparameters:\n  labour: {matching_elasticity: 0.5}\n"
            "  labour.matching_elasticity: 0.6\n"
        },
        [],
        ["s.yaml: line 4: parameters.labour.matching_elasticity: given twice (also at s.yaml: line 3)"],
    ),
    "missing name": (
        {"s.yaml": "scale: 0.1\n"},
        [],
        ["s.yaml: name: required: every scenario has its own name"],
    ),
    "bad --set path": (
        {"s.yaml": RENEWAL},
        ["--set", "interventions.3.budget_eur=0"],
        ["s.yaml: --set interventions.3.budget_eur=0: index 3 out of range: interventions has 1 item"],
    ),
    "--set without =": (
        {"s.yaml": RENEWAL},
        ["--set", "scale"],
        ["s.yaml: --set scale: expected PATH=VALUE"],
    ),
    "--set unknown key": (
        {"s.yaml": RENEWAL},
        ["--set", "horizon.monts=24"],
        ["s.yaml: --set horizon.monts=24: horizon.monts: unknown key 'monts'", "did you mean 'months'?"],
    ),
    "bad --set value": (
        {"s.yaml": RENEWAL},
        ["--set", "scale=2"],
        ["s.yaml: --set scale=2: scale: expected a number in (0, 1], got 2"],
    ),
    "--set value not YAML": (
        {"s.yaml": RENEWAL},
        ["--set", "interventions.0.zones=[13201"],
        ["s.yaml: --set interventions.0.zones=[13201: the value '[13201' is not valid YAML"],
    ),
}


@pytest.mark.parametrize("files, options, expected", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_exits_2_with_a_short_message(capsys, here, files, options, expected):
    for name, text in files.items():
        write(here, name, text)
    code, out, err = run(capsys, "validate", next(iter(files)), *options)
    assert code == 2
    assert err.startswith("ampsim validate: error: 1 of 1 scenario files has errors:\n")
    for fragment in expected:
        assert fragment in err
    assert "Traceback" not in err and "Traceback" not in out
    assert len(err.splitlines()) == 2  # one problem, one line


def test_every_problem_of_a_file_is_listed(capsys, here):
    write(here, "s.yaml", RENEWAL + "    budget_eur: -5\n    jobs: 2.5\nscale: 0\n")
    code, _, err = run(capsys, "validate", "s.yaml")
    assert code == 2
    assert (
        "s.yaml: line 5: interventions[0].budget_eur: expected a number in [0, 100000000000], got -5" in err
    )
    assert "s.yaml: line 6: interventions[0].jobs: expected a whole number, got 2.5" in err
    assert "s.yaml: line 7: scale: expected a number in (0, 1], got 0" in err


def test_validate_reports_good_and_bad_files(capsys, here):
    write(here, "good.yaml", RENEWAL)
    write(here, "bad.yaml", "name: x\nseed: -1\n")
    code, out, err = run(capsys, "validate", "good.yaml", "bad.yaml")
    assert code == 2
    assert out.startswith("good.yaml: ok (1 intervention, 180 months from 2026-01, scale 0.05")
    assert "1 of 2 scenario files has errors" in err
    assert "bad.yaml: line 2: seed: expected a whole number in [0, 9223372036854775807], got -1" in err


def test_an_error_inherited_from_a_parent_names_the_parent(here):
    write(here, "parent.yaml", "name: parent\nhorizon:\n  start: 2026-13\n")
    write(here, "child.yaml", "name: child\nextends: parent.yaml\n")
    with pytest.raises(
        InputError, match=r"^parent\.yaml: line 3: horizon\.start: expected a month as YYYY-MM"
    ):
        load_scenario("child.yaml")


# --- extends, overrides, values --------------------------------------------------------------
def make_family(directory: Path) -> Path:
    """grandparent < parent < child, each setting some values; returns the child."""
    write(
        directory,
        "grandparent.yaml",
        """
        name: grandparent
        description: the grandparent
        horizon: {start: 2027-01, months: 60}
        scale: 0.2
        replicates: 2
        seed: 1
        parameters:
          labour: {matching_elasticity: 0.4, separation_rate: 0.01}
          startups.founding_rate: 10
        interventions:
          - {type: urban_renewal, name: Old programme, budget_eur: 1.0e+8}
        """,
    )
    write(
        directory,
        "parent.yaml",
        """
        name: parent
        description: the parent
        extends: grandparent.yaml
        horizon: {months: 48}
        replicates: 3
        parameters:
          labour.matching_elasticity: 0.45
        """,
    )
    (directory / "scenarios").mkdir()
    return write(
        directory / "scenarios",
        "child.yaml",
        """
        name: child
        extends: ../parent.yaml
        seed: 5
        parameters:
          startups: {founding_rate: 12}
        """,
    )


def test_extends_precedence(tmp_path):
    child = make_family(tmp_path)
    scenario = load_scenario(child, ["seed=7", "parameters.labour.matching_elasticity=0.5"])
    assert scenario.name == "child" and scenario.description == ""  # never inherited
    assert scenario.horizon.start == "2027-01"  # grandparent
    assert scenario.horizon.months == 48  # parent, merged into the grandparent's horizon
    assert scenario.scale == 0.2  # grandparent
    assert scenario.replicates == 3  # parent
    assert scenario.seed == 7  # --set over the child's 5
    assert scenario.parameters == {
        "labour": {"matching_elasticity": 0.5, "separation_rate": 0.01},
        "startups": {"founding_rate": 12},
    }
    assert [i.name for i in scenario.interventions] == ["Old programme"]  # inherited list
    assert [p.name for p in scenario.sources] == ["child.yaml", "parent.yaml", "grandparent.yaml"]
    assert scenario.overrides == ("seed=7", "parameters.labour.matching_elasticity=0.5")
    settings = scenario.run_settings()
    assert (settings.scale, settings.months, settings.start) == (0.2, 48, "2027-01")


def test_a_child_list_replaces_the_parent_list(tmp_path):
    child = make_family(tmp_path)
    child.write_text(child.read_text() + "interventions: []\n")
    assert load_scenario(child).interventions == []
    scenario = load_scenario(child, ["interventions=[{type: seed_fund, budget_eur: 1.0e+6}]"])
    assert [i.type for i in scenario.interventions] == ["seed_fund"]


def test_dotted_and_nested_parameter_overrides_merge(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """
        name: s
        parameters:
          labour: {matching_elasticity: 0.55}
          labour.separation_rate: 0.012
          startups.founding_rate: 14
          exposure.who_guideline_pm25: 4
        """,
    )
    scenario = load_scenario(path)
    assert scenario.parameters == {
        "labour": {"matching_elasticity": 0.55, "separation_rate": 0.012},
        "startups": {"founding_rate": 14},
        "exposure": {"who_guideline_pm25": 4},
    }
    params = scenario.model_parameters()
    assert params.labour.matching_elasticity == 0.55 and params.labour.separation_rate == 0.012
    assert params.startups.founding_rate == 14 and params.exposure.who_guideline_pm25 == 4
    assert params.housing == type(params.housing)()  # untouched groups keep their defaults


def test_policy_team_friendly_values(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """
        name: s
        horizon: {start: 2026-03-15}
        interventions:
          - type: urban_renewal
            end: 2035-12-31
            budget_eur: 4.0e9
            zones: [Marseille 3e, 13215]
          - type: seed_fund
            budget_eur: 1e7
        parameters:
        """,
    )
    scenario = load_scenario(path)
    assert scenario.horizon.start == "2026-03"
    assert scenario.interventions[0].end == "2035-12"
    assert scenario.interventions[0].budget_eur == 4.0e9 and scenario.interventions[1].budget_eur == 1e7
    assert scenario.parameters == {}


def test_set_overrides_address_the_document(tmp_path):
    path = write(tmp_path, "s.yaml", RENEWAL)
    scenario = load_scenario(
        path,
        [
            "scale=0.05",
            "replicates=3",
            "horizon.months=24",
            "interventions.0.budget_eur=0",
            "interventions.0.zones=[13201, 13202]",
            "description=A test",
        ],
    )
    assert (scenario.scale, scenario.replicates, scenario.horizon.months) == (0.05, 3, 24)
    assert scenario.interventions[0].budget_eur == 0 and scenario.interventions[0].zones == [13201, 13202]
    assert scenario.description == "A test"


def test_build_interventions_gives_fresh_objects(tmp_path):
    scenario = load_scenario(write(tmp_path, "s.yaml", RENEWAL))
    first, second = scenario.build_interventions(), scenario.build_interventions()
    assert [i.name for i in first] == ["Euromed 2"]
    assert first[0] is not second[0] and first[0].config == scenario.interventions[0]


def test_a_scenario_survives_pickling(tmp_path):
    scenario = load_scenario(make_family(tmp_path))
    again = pickle.loads(pickle.dumps(scenario))
    assert again.resolved() == scenario.resolved() and again.sources == scenario.sources


# --- resolved scenario and provenance ------------------------------------------------------
def test_resolved_round_trips_through_load(tmp_path):
    scenario = load_scenario(make_family(tmp_path), ["interventions.0.budget_eur=2.5e8"])
    resolved = scenario.resolved()
    assert "extends" not in resolved and json.loads(json.dumps(resolved)) == resolved
    copy = write(tmp_path, "resolved.yaml", resolved_yaml(scenario))
    again = load_scenario(copy)
    assert again.resolved() == resolved
    assert again.model_parameters() == scenario.model_parameters()
    assert again.interventions == scenario.interventions


def test_write_provenance_writes_the_resolved_scenario_and_the_sources(tmp_path):
    child = make_family(tmp_path)
    scenario = load_scenario(child, ["seed=9"])
    out = tmp_path / "run"
    write_provenance(scenario, out)
    resolved = out / "scenario.resolved.yaml"
    assert "# --set seed=9" in resolved.read_text(encoding="utf-8")
    assert load_scenario(resolved).resolved() == scenario.resolved()
    copies = sorted(p.name for p in (out / "sources").iterdir())
    assert copies == ["child.yaml", "grandparent.yaml", "parent.yaml"]
    assert (out / "sources" / "child.yaml").read_bytes() == child.read_bytes()
    assert not list(out.rglob("*.part"))


def test_write_provenance_writes_the_snapshot_when_a_source_is_gone_or_edited(tmp_path):
    child = make_family(tmp_path)
    parent = tmp_path / "parent.yaml"
    before = parent.read_bytes()
    scenario = load_scenario(child)
    parent.unlink()
    child.write_text("name: edited\n", encoding="utf-8")
    write_provenance(scenario, tmp_path / "run")
    assert (tmp_path / "run" / "sources" / "parent.yaml").read_bytes() == before
    assert b"extends: ../parent.yaml" in (tmp_path / "run" / "sources" / "child.yaml").read_bytes()
    assert "name: child" in (tmp_path / "run" / "scenario.resolved.yaml").read_text(encoding="utf-8")


# --- repository files, JSON Schema, documentation ------------------------------------------
@pytest.mark.parametrize("path", REPOSITORY_SCENARIOS, ids=[p.name for p in REPOSITORY_SCENARIOS])
def test_repository_scenarios_are_valid(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem


def _schema_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_json_schema_accepts_the_repository_scenarios():
    validator = _schema_validator()
    for path in REPOSITORY_SCENARIOS:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=ScenarioLoader)
        errors = [error.message for error in validator.iter_errors(document)]
        assert not errors, f"{path.name}: {errors}"


def test_json_schema_rejects_unknown_keys():
    validator = _schema_validator()
    good = {
        "name": "x",
        "parameters": {"labour": {"matching_elasticity": 0.5}, "startups.founding_rate": 14},
        "interventions": [{"type": "urban_renewal", "budget_eur": 1e9}],
    }
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "scal": 0.1})
    assert not validator.is_valid({**good, "parameters": {"labour": {"matching_elastcity": 0.5}}})
    assert not validator.is_valid({**good, "interventions": [{"type": "urban_renewal", "budgt_eur": 1}]})
    assert not validator.is_valid({**good, "interventions": [{"type": "urban_renewl"}]})


def test_json_schema_describes_parameters_and_interventions():
    schema = scenario_json_schema()
    definitions = schema["$defs"]
    elasticity = definitions["LabourParameters"]["properties"]["matching_elasticity"]
    assert elasticity["description"] and elasticity["unit"] and elasticity["source"]
    assert definitions["UrbanRenewalConfig"]["description"]
    assert "sources" not in schema["properties"] and "extends" in schema["properties"]


def test_schema_command_prints_or_writes(capsys, tmp_path):
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out)["title"] == "ampsim scenario"
    target = tmp_path / "scenario.schema.json"
    code, out, _ = run(capsys, "schema", "--out", str(target))
    assert code == 0 and f"wrote {target}" in out
    assert json.loads(target.read_text(encoding="utf-8")) == scenario_json_schema()


def test_set_option_is_repeatable(tmp_path):
    parser = argparse.ArgumentParser(prog="ampsim")
    add_scenario_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["validate", "s.yaml", "--set", "scale=0.05", "--set", "seed=2"])
    assert args.overrides == ["scale=0.05", "seed=2"]


def test_console_validate_error_has_no_traceback(here):
    write(here, "s.yaml", RENEWAL + "    budget_eur: -5\n")
    bad = subprocess.run(
        [sys.executable, "-m", "ampsim", "validate", "s.yaml"], capture_output=True, text=True, cwd=here
    )
    assert bad.returncode == 2
    assert (
        "s.yaml: line 5: interventions[0].budget_eur: expected a number in [0, 100000000000], got -5"
        in bad.stderr
    )
    assert "Traceback" not in bad.stderr
