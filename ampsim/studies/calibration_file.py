"""Calibration files: the parameters to fit (ranges), the targets to fit them to, and the runs.

A calibration file (YAML, in `experiments/`) names a starting scenario, run settings, the number
of replicates per trial, the number of trials and the sampler's seed, the parameters to fit by
their dotted path in the model's parameter tree (`labour.separation_rate`), each with a range,
and the targets. The loss of a trial is the sum over targets of ((model - value) / sd)^2.

Targets are a small registry of kinds (`TARGET_KINDS`): each kind is a pydantic model with a
`kind` literal, a `name` and a `measure(runs)` method that reads what it needs from the trial's
runs (`TrialRuns`). To add a kind, write its class and add it to `TARGET_KINDS`. Files are read
with the scenario reader's limits and validated like experiments: a bad file stops with one line
per problem naming the file, the line, the key and what was expected.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from ampsim.core.errors import InputError
from ampsim.indicators import METRO_NAMES
from ampsim.model import MAX_SEED, MONTH_PATTERN, Scale
from ampsim.scenarios.document import Document, Origin, format_path, show_value, shown
from ampsim.scenarios.loading import load_document, read_document, validate_document
from ampsim.scenarios.reading import file_kind
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.calibration_bounds import check_parameter, is_programme_field, with_programme_fields
from ampsim.studies.evaluation.catalogue import EXPERIMENTS
from ampsim.studies.evaluation.experiment import (
    Check,
    VirtualExperiment,
    baseline_of,
    experiment_settings,
    summarise,
)
from ampsim.studies.experiment import MAX_RUNS, Factor, scenario_at
from ampsim.studies.replicates import StudySettings, run_replicate, study_settings
from ampsim.studies.runner import RunResult

MAX_TRIALS = 10_000  # a TPE search this long takes hours per trial already; more is a typo
MAX_REPLICATES = 100  # per trial: the targets' means, not the trials, need the precision
MAX_PARAMETERS = 20
MAX_TARGETS = 50
MAX_ERRORS = 20
MAX_VALUE = 1e12  # |low|, |high|, |value|, sd: any real quantity of the model is far below
RANGE_KEYS = ("low", "high", "log")
WINDOW_PATTERN = r"^last (\d{1,4})$"

_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
_NUMBER = {"ge": -MAX_VALUE, "le": MAX_VALUE}


class ParameterRange(BaseModel):
    """The range a parameter is searched in: uniform in [low, high], or in its log with `log`."""

    model_config = _CONFIG

    low: float = Field(..., **_NUMBER, description="lowest value tried")
    high: float = Field(..., **_NUMBER, description="highest value tried")
    log: bool = Field(False, description="search the log of the value (for rates over decades)")

    @model_validator(mode="after")
    def _check(self) -> ParameterRange:
        if not self.low < self.high:
            raise ValueError(f"low {self.low:g} must be below high {self.high:g}")
        if self.log and self.low <= 0:
            raise ValueError(f"log: true needs low > 0, got low {self.low:g}")
        return self


class RunOverrides(BaseModel):
    """The run settings of every trial's runs (default: the starting scenario's)."""

    model_config = _CONFIG

    scale: Scale | None = Field(None, description="scale of every run; at least the model's minimum")
    months: int | None = Field(None, ge=1, le=1200, description="months of every run")
    spin_up_months: int | None = Field(None, ge=0, le=240, description="calibration months before the start")
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="root seed of the runs")
    start: str | None = Field(None, pattern=MONTH_PATTERN, description="first simulated month, YYYY-MM")
    cell_km: float | None = Field(None, ge=0.25, le=5.0, description="side of the pollution grid's cells")


class IndicatorTarget(BaseModel):
    """A metro indicator (a column of `RunResult.metro`), averaged over a window of months and
    over the trial's replicates."""

    model_config = _CONFIG

    kind: Literal["indicator"] = "indicator"
    indicator: str = Field(..., description="a metro indicator, e.g. unemployment_rate")
    name: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]+$", max_length=80, description="column name (default: indicator)"
    )
    months: str | tuple[int, int] = Field(
        "last 12", description="'last N' (the last N months) or [first, last] month numbers"
    )
    value: float = Field(..., **_NUMBER, description="the target value, in the indicator's units")
    sd: float = Field(..., gt=0, le=MAX_VALUE, description="the scale of a miss: z = (model - value) / sd")

    @field_validator("indicator")
    @classmethod
    def _check_indicator(cls, value: str) -> str:
        if value not in METRO_NAMES:
            close = difflib.get_close_matches(value, METRO_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown indicator {value!r}{hint} (see ampsim.indicators.METRO_NAMES)")
        return value

    @field_validator("months")
    @classmethod
    def _check_months(cls, value: str | tuple[int, int]) -> str | tuple[int, int]:
        if isinstance(value, str) and not re.match(WINDOW_PATTERN, value):
            raise ValueError(f"expected 'last N' or [first, last] month numbers, got {value!r}")
        if isinstance(value, tuple) and not 1 <= value[0] <= value[1]:
            raise ValueError(f"expected [first, last] with 1 <= first <= last, got {list(value)}")
        return value

    @property
    def label(self) -> str:
        return self.name or self.indicator

    def window(self, months: int) -> tuple[int, int]:
        """First and last month numbers (1-based) of the window in a run of `months` months."""
        if isinstance(self.months, str):
            last = int(re.match(WINDOW_PATTERN, self.months).group(1))
            return months - last + 1, months
        return self.months

    def window_text(self, months: int) -> str:
        first, last = self.window(months)
        return f"months {first}-{last}" if first != last else f"month {first}"

    def measure(self, runs: TrialRuns) -> float:
        """The mean over replicates of the indicator's mean over the window."""
        first, last = self.window(runs.settings.run.months)
        means = []
        for result in runs.results():
            metro = result.metro
            chosen = metro[(metro["month"] >= first) & (metro["month"] <= last)]
            means.append(float(chosen[self.indicator].mean()))
        return float(np.mean(means))


CHECKS: dict[str, tuple[VirtualExperiment, Check]] = {
    check.key: (experiment, check) for experiment in EXPERIMENTS for check in experiment.checks
}


class EffectTarget(BaseModel):
    """A programme's effect in its virtual experiment (a check of `ampsim evaluate --list`), pooled
    over the trial's replicates: each a paired run of the experiment's scenario and its baseline,
    both with the trial's parameters, at the experiment's months (and scale, if it has one)."""

    model_config = _CONFIG

    kind: Literal["effect"]
    check: str = Field(..., description="a virtual experiment's check, e.g. youth_training.employment_16m")
    name: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]+$", max_length=80, description="column name (default: check)"
    )
    value: float = Field(..., **_NUMBER, description="the target effect, in the check's unit")
    sd: float = Field(..., gt=0, le=MAX_VALUE, description="the scale of a miss: z = (model - value) / sd")

    @field_validator("check")
    @classmethod
    def _check_check(cls, value: str) -> str:
        if value not in CHECKS:
            close = difflib.get_close_matches(value, list(CHECKS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown check {value!r}{hint} (see ampsim evaluate --list)")
        return value

    @property
    def label(self) -> str:
        return self.name or self.check

    def window_text(self, months: int) -> str:
        return CHECKS[self.check][1].horizon

    def measure(self, runs: TrialRuns) -> float:
        """The effect pooled over the trial's replicates (as `ampsim evaluate` pools them)."""
        experiment, check = CHECKS[self.check]
        scenario = evaluated_scenario(experiment, runs.scenario)
        baseline = baseline_of(scenario)
        measured = [
            experiment.measure(baseline, scenario, experiment_settings(experiment, runs.settings.run, r))
            for r in range(runs.settings.replicates)
        ]
        return summarise(experiment, check, [m[check.key] for m in measured]).effect


def evaluated_scenario(experiment: VirtualExperiment, trial: Scenario) -> Scenario:
    """The scenario an effect target evaluates: the trial's own when it has the experiment's type
    of programme (whose fields may be calibrated), else the experiment's with the trial's
    parameters."""
    if any(programme.type == experiment.programme_type for programme in trial.interventions):
        return trial
    scenario = experiment.scenario()
    return scenario.model_copy(update={"parameters": merged(scenario.parameters, trial.parameters)})


def merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Nested parameter overrides: `overrides` on top of `base`, mapping by mapping."""
    result = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


TARGET_KINDS: dict[str, type[BaseModel]] = {"indicator": IndicatorTarget, "effect": EffectTarget}


def _target_kind(value: Any) -> str | None:
    """The kind of a target as written (`indicator` when the file does not say)."""
    if isinstance(value, dict):
        kind = value.get("kind", "indicator")
        return kind if kind in TARGET_KINDS else None
    return getattr(value, "kind", None)


Target = Annotated[
    Union[tuple(Annotated[model, Tag(kind)] for kind, model in TARGET_KINDS.items())],  # noqa: UP007
    Discriminator(
        _target_kind,
        custom_error_type="target_kind",
        custom_error_message=f"expected a mapping whose kind is one of: {', '.join(TARGET_KINDS)}",
    ),
]


class CalibrationFile(BaseModel):
    """A calibration file, validated."""

    model_config = _CONFIG

    name: str = Field(..., pattern=r"^[A-Za-z0-9_-]+$", max_length=80, description="the study's name")
    description: str = Field("", max_length=5000, description="what is calibrated, and why")
    scenario: str = Field(..., min_length=1, description="starting scenario, relative to this file")
    settings: RunOverrides = Field(default_factory=RunOverrides)
    replicates: int = Field(1, ge=1, le=MAX_REPLICATES, description="runs per trial, paired across trials")
    trials: int = Field(..., ge=1, le=MAX_TRIALS, description="completed trials wanted in the study")
    startup_trials: int = Field(10, ge=1, le=MAX_TRIALS, description="random trials before TPE's model")
    sampler_seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of the sampler (not of the runs)")
    parameters: dict[str, ParameterRange] = Field(
        ..., min_length=1, max_length=MAX_PARAMETERS, description="dotted parameter paths and their ranges"
    )
    targets: list[Target] = Field(..., min_length=1, max_length=MAX_TARGETS)

    @field_validator("description")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _check(self) -> CalibrationFile:
        labels = [target.label for target in self.targets]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValueError(f"targets: two targets are named {repeated[0]!r}; give them a `name`")
        clash = sorted(
            set(labels) & ({"trial", "state", "loss", "seconds", "retry_of"} | set(self.parameters))
        )
        if clash:
            raise ValueError(f"targets: the name {clash[0]!r} is taken; give the target another `name`")
        if self.trials * self.replicates > MAX_RUNS:
            raise ValueError(
                f"{self.trials:,} trials x {self.replicates} replicates = "
                f"{self.trials * self.replicates:,} runs; at most {MAX_RUNS:,}"
            )
        return self


@dataclass
class TrialRuns:
    """The runs of one trial, made when a target first asks for them and kept for the others;
    a later target kind may ask for more (a variant of the trial's scenario)."""

    scenario: Scenario
    settings: StudySettings
    run: Callable[[Scenario, StudySettings, int], RunResult] = run_replicate
    _results: list[RunResult] | None = field(default=None, repr=False)

    def results(self) -> list[RunResult]:
        """The trial scenario's replicates 0..n-1 (paired with every other trial's)."""
        if self._results is None:
            self._results = [
                self.run(self.scenario, self.settings, r) for r in range(self.settings.replicates)
            ]
        return self._results


@dataclass(frozen=True)
class LoadedCalibration:
    """A calibration file with its starting scenario (as read) and the settings of its runs."""

    spec: CalibrationFile
    path: Path
    base: Document
    base_scenario: Scenario
    settings: StudySettings

    @property
    def scenario_path(self) -> Path:
        return self.path.parent / self.spec.scenario

    def factors(self) -> list[Factor]:
        """The parameters as paths into the scenario document (as a sweep names its factors)."""
        return [
            Factor(
                path=name if is_programme_field(name) else f"parameters.{name}",
                name=name,
                range=(r.low, r.high),
            )
            for name, r in self.ranges
        ]

    def calibrated_programmes(self, values: dict[str, float]) -> list[Any] | None:
        """The starting scenario's programmes as written, with the calibrated programme fields set
        (None when no programme field is calibrated)."""
        if not any(is_programme_field(name) for name in values):
            return None
        return with_programme_fields(self.base.data.get("interventions", []), values)

    @property
    def ranges(self) -> list[tuple[str, ParameterRange]]:
        return list(self.spec.parameters.items())

    def scenario(self, values: dict[str, float]) -> Scenario:
        """The starting scenario with the parameters set to `values`, validated."""
        return scenario_at(self.base, self.factors(), values, str(self.path))

    def fingerprint(self) -> str:
        """Hash of what defines a trial's result (parameters, targets, settings, replicates, the
        starting scenario): a study is resumed only while it has not changed."""
        content = {
            "parameters": {name: r.model_dump(mode="json") for name, r in self.ranges},
            "targets": [target.model_dump(mode="json") for target in self.spec.targets],
            "settings": self.settings.run.model_dump(mode="json"),
            "replicates": self.settings.replicates,
            "scenario": self.base.data,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_calibration(path: str | os.PathLike) -> LoadedCalibration:
    """Read and validate a calibration file and its starting scenario; InputError names the file,
    the line, the key and what was expected."""
    path = Path(path)
    document = read_document(path, shown(str(path)), kind="calibration file")
    data = {**document.data}
    if isinstance(data.get("parameters"), dict):  # the reader nests dotted keys: flatten them back
        data["parameters"] = dict(_flat_ranges(data["parameters"], ()))
    try:
        spec = CalibrationFile.model_validate(data)
    except ValidationError as error:
        raise InputError(_format_errors(error, document)) from None
    base, base_scenario = _load_start(path, spec, document.origin(("scenario",)))
    for name, bounds in spec.parameters.items():
        where = document.origin(("parameters", *name.split(".")))
        check_parameter(name, bounds.low, bounds.high, base_scenario, where)
    settings = _settings(spec, base_scenario, document.origin(("settings",)))
    for index, target in enumerate(spec.targets):
        _check_window(target, settings.run.months, document.origin(("targets", index)), index)
    return LoadedCalibration(spec, path, base, base_scenario, settings)


def _flat_ranges(tree: dict[str, Any], prefix: tuple[str, ...]) -> list[tuple[str, Any]]:
    """(dotted path, range) of nested parameter mappings: a mapping is a range when it is empty
    or has a key among low, high and log."""
    flat = []
    for key, value in tree.items():
        path = (*prefix, str(key))
        if isinstance(value, dict) and value and not set(value) & set(RANGE_KEYS):
            flat.extend(_flat_ranges(value, path))
        else:
            flat.append((".".join(path), value))
    return flat


def _load_start(path: Path, spec: CalibrationFile, origin: Origin) -> tuple[Document, Scenario]:
    """The starting scenario's document (read once: the trials' snapshot) and the scenario."""
    start = path.parent / spec.scenario
    kind = file_kind(start)
    if kind is None:
        raise InputError(
            f"{origin}: scenario: file not found: {shown(spec.scenario)!r} (looked for "
            f"{shown(str(start.resolve()), 200)}; the path is relative to the calibration file)"
        )
    if kind != "a regular file":
        raise InputError(f"{origin}: scenario: {shown(spec.scenario)!r} is {kind}, not a scenario file")
    base = load_document(start)
    return base, validate_document(base)


def _settings(spec: CalibrationFile, base: Scenario, origin: Origin) -> StudySettings:
    """The trials' run settings: the file's, else the starting scenario's."""
    try:
        return study_settings(base, spec.replicates, **spec.settings.model_dump())
    except InputError as error:
        raise InputError(f"{origin}: settings.{error}") from None


def _check_window(target: Any, months: int, origin: Origin, index: int) -> None:
    """InputError when a target's window of months is not inside the runs' months."""
    window = getattr(target, "window", None)
    if window is None:
        return
    first, last = window(months)
    if first < 1 or last > months:
        raise InputError(
            f"{origin}: targets[{index}].months: {target.months!r} does not fit in runs of {months} "
            f"months (settings.months)"
        )


def _format_errors(error: ValidationError, document: Document) -> str:
    """One line per problem: file, line, key path, what was expected."""
    lines = []
    for item in error.errors()[: MAX_ERRORS * 5]:
        path = _written_path(item["loc"])
        where = document.origin(tuple(part for piece in path for part in _split(piece)))
        text = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            text = f"unknown key {path[-1]!r}" + _allowed_hint(path, document.data)
        elif item["type"] == "missing":
            text = "required key missing"
        elif item["type"] == "target_kind" and isinstance(item["input"], dict):
            kind = show_value(item["input"].get("kind"))
            text = f"unknown target kind {kind}; known: {', '.join(TARGET_KINDS)}"
        elif "input" in item and item["type"] != "value_error":
            text = f"{text}, got {show_value(item['input'])}"
        lines.append(f"{where}: {shown(format_path(path), 200) or 'the calibration file'}: {text}")
    unique = list(dict.fromkeys(lines))
    more = len(unique) - MAX_ERRORS
    return "\n".join(unique[:MAX_ERRORS] + ([f"... and {more:,} more"] if more > 0 else []))


def _written_path(loc: tuple) -> tuple:
    """A pydantic location as written in the file: without the target kind's tag."""
    path = list(loc)
    if len(path) > 2 and path[0] == "targets" and path[2] in TARGET_KINDS:
        del path[2]
    return tuple(part for part in path if not (isinstance(part, str) and part.startswith("function-")))


def _split(part: str | int) -> tuple:
    return tuple(part.split(".")) if isinstance(part, str) else (part,)


def _allowed_hint(path: tuple, data: dict[str, Any]) -> str:
    """'; allowed here: ...' (and the closest key) for an unknown key at `path`."""
    owners: dict[str, type[BaseModel]] = {"settings": RunOverrides, "parameters": ParameterRange}
    if len(path) == 1:
        owner: type[BaseModel] | None = CalibrationFile
    elif path[0] == "targets" and isinstance(path[1], int):
        owner = TARGET_KINDS.get(_target_kind(data["targets"][path[1]]) or "")
    else:
        owner = owners.get(str(path[0]))
    if owner is None:
        return ""
    allowed = list(owner.model_fields)
    close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
    return f"; allowed here: {', '.join(allowed)}" + (f"; did you mean {close[0]!r}?" if close else "")


__all__ = [
    "TARGET_KINDS",
    "CalibrationFile",
    "IndicatorTarget",
    "LoadedCalibration",
    "ParameterRange",
    "TrialRuns",
    "load_calibration",
]
