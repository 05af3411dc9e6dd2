"""Inputs that cannot hang, exhaust or destroy: scenario files, experiment files and `--set` values
as a hostile or careless user writes them.

Each case runs the real command line in a child process with at most 3 GB of address space and
checks: exit code 2, one error line naming the file, key or option and what was expected, no
traceback, under 10 s. `pytest -s` prints the time of each case and a summary.
"""

from __future__ import annotations

import math
import os
import textwrap
import time
import types
import typing
from pathlib import Path

import pytest
from hostile import FAST, SCENARIOS, TIMES, TINY_RUN, ampsim, print_summary, record, refused
from pydantic import BaseModel

from ampsim.core.errors import InputError
from ampsim.interventions import INTERVENTION_TYPES
from ampsim.model import ModelParameters
from ampsim.scenarios.loading import load_scenario
from ampsim.scenarios.reading import MAX_DEPTH, MAX_EXTENDS, MAX_FILE_BYTES, MAX_VALUES
from ampsim.studies.experiment import Experiment

BASELINE = SCENARIOS / "baseline.yaml"


@pytest.fixture(scope="module", autouse=True)
def summary():
    before = set(TIMES)
    yield
    print_summary("hostile inputs", {k: v for k, v in TIMES.items() if k not in before})


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def run_file(tmp_path: Path, scenario: str | Path, *options: str, timeout: float = 60):
    """`ampsim run SCENARIO` with a tiny run's options (never reached when the file is refused)."""
    out = str(tmp_path / "out")
    return ampsim("run", str(scenario), *TINY_RUN, "--no-charts", "--out", out, *options, timeout=timeout)


def laughs(levels: int = 9, prefix: str = "") -> str:
    """A "billion laughs" document: `levels` lists of 9 aliases of the list before (9**levels)."""
    lines = [f'{prefix}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"{prefix}l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# --- YAML alias expansion ----------------------------------------------------------------------
def test_billion_laughs_in_a_scenario_file_fails_at_once(tmp_path):
    text = "name: x\n" + laughs()
    assert len(text) < 600
    path = write(tmp_path, "laughs.yaml", text)
    refused(run_file(tmp_path, path), "billion laughs, scenario file", "run", "laughs.yaml: line", "aliases")
    assert not (tmp_path / "out").exists()


def test_billion_laughs_in_an_experiment_file_fails_at_once(tmp_path):
    path = write(tmp_path, "exp.yaml", f"name: x\nscenario: {BASELINE}\n" + laughs())
    outcome = ampsim("sweep", str(path), "--dry-run")
    refused(outcome, "billion laughs, experiment file", "sweep", "exp.yaml: line", "aliases")


def test_billion_laughs_in_a_set_value_fails_at_once(tmp_path):
    value = "[" + ", ".join(["&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + ["*a"] * 8) + "]"
    for level in "bcdefgh":  # each level: a list of nine of the one before
        value = f"[&{level} {value}, " + ", ".join([f"*{level}"] * 8) + "]"
    assert len(value) < 600
    path = write(tmp_path, "s.yaml", "name: x\n")
    outcome = run_file(tmp_path, path, "--set", f"parameters.x={value}")
    refused(outcome, "billion laughs, --set value", "run", "s.yaml: --set parameters.x=", "aliases")


# --- files that are not regular files, or too large ------------------------------------------
@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/urandom"])
def test_a_fifo_or_a_device_is_refused_without_reading(tmp_path, special):
    if special == "fifo":
        special = str(tmp_path / "scenario.yaml")
        os.mkfifo(special)  # nobody ever writes into it: reading it would wait forever
    expected = "named pipe (FIFO)" if "scenario" in special else "character device"
    outcome = run_file(tmp_path, special)
    refused(
        outcome, f"{Path(special).name} as the scenario file", "run", special, expected, "not a regular file"
    )


def test_extends_of_a_device_says_what_it_is(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\nextends: /dev/zero\n")
    outcome = run_file(tmp_path, path)
    refused(outcome, "extends: /dev/zero", "run", "s.yaml: line 2: extends:", "character device", "/dev/zero")


def test_a_50_mb_file_is_refused_by_its_size(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.write(b"name: x\ndescription: ")
        handle.truncate(50_000_000)  # sparse: 50 MB in no time
    outcome = run_file(tmp_path, path)
    refused(outcome, "50 MB file", "run", "big.yaml", f"larger than {MAX_FILE_BYTES:,} bytes")


@pytest.mark.parametrize("problem", ["fifo", "nul"])
def test_an_experiment_file_is_read_with_the_same_checks(tmp_path, problem):
    path = tmp_path / "exp.yaml"
    if problem == "fifo":
        os.mkfifo(path)
    else:
        path.write_bytes(f"name: x\nscenario: {BASELINE}\x00\n".encode())
    expected = "named pipe (FIFO)" if problem == "fifo" else "line 2"
    outcome = ampsim("sweep", str(path), "--dry-run")
    refused(outcome, f"experiment file: {problem}", "sweep", "exp.yaml", expected)


def test_a_control_character_in_a_set_value_is_refused(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\n")
    outcome = run_file(tmp_path, path, "--set", "description=bell\x07")
    refused(outcome, "control character in a --set value", "run", "s.yaml: --set description=", "U+0007")


# --- characters, depth, chains, names ------------------------------------------------------------
def test_nul_bytes_are_refused_with_line_and_column(tmp_path):
    path = write(tmp_path, "nul.yaml", b"name: x\ndescription: a\x00b\n")
    outcome = run_file(tmp_path, path)
    refused(outcome, "NUL byte", "run", "nul.yaml: line 2, column 15:", "NUL character")


def test_control_characters_are_refused_with_line_and_column(tmp_path):
    path = write(tmp_path, "ctl.yaml", b"name: x\ndescription: bell\x07\n")
    outcome = run_file(tmp_path, path)
    refused(outcome, "control character", "run", "ctl.yaml: line 2, column 18:", "U+0007")


def test_not_utf8_is_refused_with_line_and_column(tmp_path):
    path = write(tmp_path, "latin1.yaml", "name: x\ndescription: Étang\n".encode("latin-1"))
    outcome = run_file(tmp_path, path)
    refused(outcome, "not UTF-8", "run", "latin1.yaml: line 2, column 14:", "not UTF-8")


def test_nesting_500_levels_deep_is_refused(tmp_path):
    path = write(tmp_path, "deep.yaml", "name: x\nparameters: " + "[" * 500 + "]" * 500 + "\n")
    outcome = run_file(tmp_path, path)
    refused(outcome, "nesting 500 levels", "run", "deep.yaml: line 2", f"more than {MAX_DEPTH} levels")


def test_deep_nesting_through_aliases_is_refused(tmp_path):
    chain = "".join(f"a{i}: &a{i} [*a{i - 1}]\n" if i else "a0: &a0 [1]\n" for i in range(40))
    deep = "[" * 30 + "*a39" + "]" * 30  # 30 levels around 40 levels of aliases: 70 in all
    path = write(tmp_path, "alias_deep.yaml", f"name: x\n{chain}c: {deep}\n")
    outcome = run_file(tmp_path, path)
    refused(
        outcome, "nesting through aliases", "run", "alias_deep.yaml: line", f"more than {MAX_DEPTH} levels"
    )


def test_an_extends_chain_of_1000_files_is_refused(tmp_path):
    for number in range(1000):
        write(tmp_path, f"c{number}.yaml", f"name: c{number}\nextends: c{number + 1}.yaml\n")
    write(tmp_path, "c1000.yaml", "name: c1000\n")
    outcome = run_file(tmp_path, tmp_path / "c0.yaml")
    refused(outcome, "extends chain of 1,000", "run", "extends: a chain of more than", str(MAX_EXTENDS))


def test_a_5000_character_file_name_is_refused(tmp_path):
    outcome = run_file(tmp_path, tmp_path / ("a" * 5000 + ".yaml"))
    line = refused(outcome, "5,000-character file name", "run", "too long")
    assert "aaaa" in line and len(line) < 300


def test_a_set_path_of_5000_parts_is_refused(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\n")
    outcome = run_file(tmp_path, path, "--set", ".".join(["a"] * 5000) + "=1")
    refused(outcome, "--set path of 5,000 parts", "run", "s.yaml: --set a.a.a", "5,000 parts; at most")


def test_a_superscript_in_a_set_path_is_one_line(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\ninterventions:\n  - {type: transit_improvement}\n")
    outcome = run_file(tmp_path, path, "--set", "interventions.¹.transit_bonus=1")
    refused(
        outcome,
        "superscript in a --set path",
        "run",
        "'¹' in the path is not plain ASCII",
        "did you mean '1'?",
    )


def test_many_unknown_keys_are_reported_fast(tmp_path):
    keys = MAX_VALUES // 2 - 100  # as many as the value limit lets in
    text = "name: x\n" + "".join(f"k{i}: 1\n" for i in range(keys))
    path = write(tmp_path, "many.yaml", text)
    outcome = ampsim("validate", str(path))
    record(f"{keys:,} unknown keys", outcome.seconds)
    assert outcome.code == 2 and "Traceback" not in outcome.err
    lines = outcome.err.splitlines()
    assert len(lines) == 22 and lines[-1] == f"... and {keys - 20:,} more", lines[-3:]
    assert "many.yaml: line 2: k0: unknown key 'k0'" in lines[1]
    assert outcome.seconds < FAST


def test_more_values_than_the_limit_are_refused(tmp_path):
    text = "name: x\nparameters: [" + ", ".join(["1"] * (MAX_VALUES + 10)) + "]\n"
    path = write(tmp_path, "values.yaml", text)
    outcome = run_file(tmp_path, path)
    refused(
        outcome,
        f"more than {MAX_VALUES:,} values",
        "run",
        "values.yaml: line 2",
        f"more than {MAX_VALUES:,} values",
    )


# --- numbers ----------------------------------------------------------------------------------------
NON_FINITE = (".inf", "-.inf", ".nan", "1e400")
HUGE = ("1e30", "-1e30", str(2**64))
INTERVENTION_BASES = {  # a valid item of each type, to which one bad value is added
    "incubator": {"zones": [13201]},
    "seed_fund": {"budget_eur": 1e6},
    "industrial_abatement": {"sources": ["fos_steelworks"]},
    "sensor_rollout": {"trigger_pollutant": "NO2", "trigger_threshold": 25},
}


def _numeric(annotation) -> str | None:
    """'scalar', 'tuple' or None for a field's annotation."""
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    if annotation in (int, float) or (union and set(args) <= {int, float}):
        return "scalar"
    items = [typing.get_args(arg)[0] if typing.get_origin(arg) is typing.Annotated else arg for arg in args]
    if (
        typing.get_origin(annotation) is tuple
        and items
        and all(item in (int, float, Ellipsis) for item in items)
    ):
        return "tuple"
    return None


def _parameter_fields(model: type[BaseModel], prefix: str = "parameters.") -> list[tuple[str, str, int]]:
    """(path, kind, tuple length) of every numeric parameter."""
    found = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += _parameter_fields(annotation, f"{prefix}{name}.")
        elif kind := _numeric(annotation):
            length = len(info.get_default()) if kind == "tuple" else 1
            found.append((f"{prefix}{name}", kind, length))
    return found


def _own_fields() -> list[tuple[str, dict | None]]:
    """(--set path, intervention item or None) of every numeric field of the scenario's own
    models: the settings, the horizon and every intervention type."""
    fields = [(name, None) for name in ("scale", "replicates", "seed", "spin_up_months", "cell_km")]
    fields.append(("horizon.months", None))
    for type_name, config in INTERVENTION_TYPES.items():
        item = {"type": type_name, **INTERVENTION_BASES.get(type_name, {})}
        fields += [
            (f"interventions.0.{name}", item)
            for name, info in config.model_fields.items()
            if _numeric(info.annotation)
        ]
    return fields


def _refused(tmp_path: Path, item: dict | None, setting: str) -> str:
    """The InputError of a scenario with one --set value (a valid scenario without it)."""
    scenario = tmp_path / ("item.yaml" if item else "plain.yaml")
    if not scenario.exists():
        body = f"name: x\ninterventions:\n  - {item}\n" if item else "name: x\n"
        scenario.write_text(body.replace("'", '"'), encoding="utf-8")
        load_scenario(scenario)  # valid as it is
    with pytest.raises(InputError) as error:
        load_scenario(scenario, [setting])
    return str(error.value)


def test_non_finite_and_huge_numbers_are_refused_in_every_numeric_field(tmp_path):
    start = time.perf_counter()
    own = _own_fields()
    parameters = _parameter_fields(ModelParameters)
    cases = 0
    for index, (path, item) in enumerate(own):
        folder = tmp_path / f"own{index}"
        folder.mkdir()
        for value in (*NON_FINITE, *HUGE):
            message = _refused(folder, item, f"{path}={value}")
            assert path.split(".")[-1] in message and "\n" not in message, (path, value, message)
            cases += 1
    for path, kind, length in parameters:
        for value in (*NON_FINITE, *HUGE):
            text = value if kind == "scalar" else "[" + ", ".join([value] + ["1"] * (length - 1)) + "]"
            message = _refused(tmp_path, None, f"{path}={text}")
            expected = "finite" if value in NON_FINITE else "expected"
            assert path.split(".")[-1] in message and expected in message, (path, value, message)
            cases += 1
    seconds = time.perf_counter() - start
    fields = len(own) + len(parameters)
    record(f"{fields} numeric fields x inf, nan, 1e400, 1e30, 2**64: {cases} cases", seconds)
    assert len(own) + len(parameters) >= 190
    assert seconds < 60


EXPERIMENT = {"name": "x", "scenario": str(BASELINE), "design": {"method": "lhs", "samples": 4}}
SAMPLED = {"path": "seed", "range": [0, 10]}


@pytest.mark.parametrize(
    "change",
    [
        {"replicates": math.inf},
        {"replicates": 2**64},
        {"seed": 2**64},
        {"months": 1e30},
        {"scale": math.nan},
        {"batch_size": 1e30},
        {"design": {"method": "lhs", "samples": 2**64}},
        {"design": {"method": "lhs", "samples": 4, "seed": 2**64}},
        {"factors": [{"path": "seed", "range": [0, math.inf]}]},
        {"factors": [{"path": "seed", "distribution": {"type": "normal", "mean": math.nan, "sd": 1}}]},
        {"factors": [{"path": "seed", "distribution": {"type": "normal", "mean": 0, "sd": 1e300}}]},
        {"outputs": {"months": [1, 2**64]}},
        {"design": {"method": "sobol", "samples": 1_000_000}, "factors": [SAMPLED] * 1},
        {
            "design": {"method": "grid"},
            "factors": [{"path": f"p{i}", "levels": list(range(100))} for i in range(4)],
        },
    ],
    ids=lambda change: "-".join(f"{k}={str(v)[:30]}" for k, v in change.items()),
)
def test_experiment_numbers_are_finite_and_bounded(change):
    with pytest.raises(ValueError) as error:
        Experiment.model_validate({**EXPERIMENT, "factors": [SAMPLED], **change})
    assert "Traceback" not in str(error.value)


def test_fixed_stations_1e30_is_refused(tmp_path):
    path = write(
        tmp_path, "s.yaml", "name: x\ninterventions:\n  - type: sensor_rollout\n    fixed_stations: 1e30\n"
    )
    refused(
        run_file(tmp_path, path),
        "fixed_stations: 1e30",
        "run",
        "s.yaml: line 4: interventions[0].fixed_stations:",
        "in [0, 10000]",
    )


def test_portable_sensors_2e9_is_refused(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\ninterventions:\n  - {type: sensor_rollout}\n")
    outcome = run_file(tmp_path, path, "--set", "interventions.0.portable_sensors=2e9")
    refused(
        outcome,
        "portable_sensors: 2e9",
        "run",
        "--set interventions.0.portable_sensors=2e9",
        "in [0, 100000]",
    )


def test_housing_units_1e10_is_refused(tmp_path):
    path = write(
        tmp_path, "s.yaml", "name: x\ninterventions:\n  - {type: urban_renewal, housing_units: 1e10}\n"
    )
    refused(
        run_file(tmp_path, path),
        "housing_units: 1e10",
        "run",
        "interventions[0].housing_units:",
        "in [0, 300000]",
    )


def test_an_infinite_mortality_level_is_refused(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\nparameters:\n  demography.mortality_level_male: .inf\n")
    refused(
        run_file(tmp_path, path),
        "mortality_level: .inf",
        "run",
        "parameters.demography.mortality_level_male:",
        "finite",
    )


def test_a_hundred_million_initial_startups_is_refused(tmp_path):
    """Waits on the bound of startups.initial_count (ampsim/submodels/startups, not ours)."""
    path = write(tmp_path, "s.yaml", "name: x\nparameters:\n  startups.initial_count: 100000000\n")
    refused(
        run_file(tmp_path, path, timeout=15),
        "startups.initial_count: 100000000",
        "run",
        "parameters.startups.initial_count:",
    )


# --- zone names ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Marseille 1٥", "Marseille 1З"], ids=["arabic-indic five", "cyrillic ze"])
def test_a_zone_name_with_a_foreign_character_matches_no_zone(tmp_path, name):
    path = write(
        tmp_path, "s.yaml", f'name: x\ninterventions:\n  - {{type: transit_improvement, zones: ["{name}"]}}\n'
    )
    outcome = run_file(tmp_path, path)
    refused(
        outcome,
        f"zone {name!r}",
        "run",
        "s.yaml: line 3: interventions[0].zones: unknown zone",
        "closest matches: Marseille 1er",
    )


def test_look_alike_digits_of_a_zone_are_normalised():
    from ampsim.world.territory import load_territory

    territory = load_territory()
    assert (
        territory.zone_index("１３２０１")
        == territory.zone_index(13201)
        == territory.zone_index("Marseille 1er")
    )


# --- command-line limits ----------------------------------------------------------------------------
TOO_MANY_WORKERS = str(max(64, (os.cpu_count() or 1) + 1))


def test_a_scale_below_one_resident_for_the_smallest_zone_is_refused(tmp_path):
    outcome = ampsim("run", "--scale", "1e-9", "--out", str(tmp_path / "out"))
    refused(
        outcome, "--scale 1e-9", "run", "argument --scale:", "at least 0.00397 (1/252)", "126 inhabitants"
    )


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["run", "--months", "100000"], ["argument --months:", "from 1 to 1200"]),
        (
            ["compare", "a.yaml", "b.yaml", "--replicates", "10000"],
            ["argument --replicates:", "from 1 to 1000"],
        ),
        (
            ["compare", "a.yaml", "b.yaml", "--workers", TOO_MANY_WORKERS],
            ["argument --workers:", "the CPUs available"],
        ),
        (["run", "--seed", str(2**64 + 1)], ["argument --seed:", "9223372036854775807"]),
        (["run", "--replicate", "-1"], ["argument --replicate:", "from 0 to 999"]),
    ],
    ids=["months 100000", "replicates 10000", "workers 64", "seed 2**64+1", "replicate -1"],
)
def test_command_line_numbers_have_the_schema_bounds(tmp_path, argv, fragments):
    outcome = ampsim(*argv, "--out", str(tmp_path / "out"))
    refused(outcome, " ".join(argv[:1] + argv[-2:]), argv[0], *fragments)
