"""Experiments: a base scenario, factors, a design, replicates and the outputs to keep.

An experiment file (YAML, in `experiments/`) names a base scenario and the factors to vary —
paths into the scenario document, as for `--set` (`parameters.labour.matching_elasticity`,
`interventions.0.trigger_threshold`) — with levels (grid) or a range or distribution (Latin
hypercube, Sobol). The design is a table of points, each point a value per factor; a run is one
(point, replicate). Replicate r of every point draws the same random numbers (the experiment's
root seed, replicate r): factors are compared under common random numbers, and no two runs of a
point share a seed. With `compare_with`, every run is paired with a run of that scenario under
the same seed and replicate (and the same model parameters), and keeps the *paired differences*:
the sensitivity of a programme's effect rather than of levels. Files are validated like
scenarios: a bad file stops with its name, the key path and what was expected.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy import stats
from scipy.stats import qmc

from ampsim.core.errors import InputError
from ampsim.indicators import METRO_NAMES
from ampsim.model import MAX_REPLICATES, MAX_SEED, RunSettings, Scale
from ampsim.scenarios.document import (
    Document,
    Origin,
    container_of,
    format_path,
    normalise_document,
    show_value,
    shown,
    split_key_path,
)
from ampsim.scenarios.loading import load_document, read_document, validate_document
from ampsim.scenarios.scenario import Scenario

DESIGNS = ("grid", "lhs", "sobol", "morris")
MAX_MONTHS = next(m.le for m in RunSettings.model_fields["months"].metadata if hasattr(m, "le"))
MAX_FACTOR_VALUE = 1e12  # |value| of a range or distribution; each point is then checked by the scenario
MAX_FACTORS = 50
MAX_POINTS = 200_000  # points of a design: its table stays below a few hundred MB
MAX_RUNS = 1_000_000  # points x replicates: more runs than a large cluster makes in a month
MAX_ERRORS = 20

_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
_VALUE = {"ge": -MAX_FACTOR_VALUE, "le": MAX_FACTOR_VALUE}


class Distribution(BaseModel):
    """A factor's distribution for sampled designs (values are drawn by inverse CDF)."""

    model_config = _CONFIG

    type: Literal["uniform", "normal", "triangular", "lognormal"]
    low: float | None = Field(None, **_VALUE, description="uniform, triangular: lower bound")
    high: float | None = Field(None, **_VALUE, description="uniform, triangular: upper bound")
    mode: float | None = Field(None, **_VALUE, description="triangular: most likely value")
    mean: float | None = Field(None, **_VALUE, description="normal: mean; lognormal: mean of the log")
    sd: float | None = Field(
        None, gt=0, le=MAX_FACTOR_VALUE, description="normal: standard deviation; lognormal: of the log"
    )

    @model_validator(mode="after")
    def _check(self) -> Distribution:
        needed = {
            "uniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "triangular": ("low", "high", "mode"),
            "lognormal": ("mean", "sd"),
        }[self.type]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(
                f"a {self.type} distribution needs {', '.join(needed)}; missing {', '.join(missing)}"
            )
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low {self.low} must be below high {self.high}")
        if self.type == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode {self.mode} must lie between low {self.low} and high {self.high}")
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Values at probabilities u (the inverse CDF)."""
        if self.type == "uniform":
            return self.low + u * (self.high - self.low)
        if self.type == "normal":
            return stats.norm.ppf(u, loc=self.mean, scale=self.sd)
        if self.type == "lognormal":
            return np.exp(stats.norm.ppf(u, loc=self.mean, scale=self.sd))
        c = (self.mode - self.low) / (self.high - self.low)
        return stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low)


class Factor(BaseModel):
    """One varied value of the scenario: its path, and its levels, range or distribution."""

    model_config = _CONFIG

    path: str = Field(..., max_length=500, description="dotted path into the scenario, as for --set")
    name: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.-]+$",
        max_length=80,
        description="short name in tables (default: the path's last part)",
    )
    levels: list[Any] | None = Field(
        None, min_length=1, max_length=1000, description="values, for grid designs (at most 1,000)"
    )
    range: tuple[Annotated[float, Field(**_VALUE)], Annotated[float, Field(**_VALUE)]] | None = Field(
        None, description="[low, high], uniform, for sampled designs"
    )
    distribution: Distribution | None = Field(None, description="for sampled designs")
    integer: bool = Field(False, description="round sampled values to whole numbers")

    @model_validator(mode="after")
    def _check(self) -> Factor:
        given = [k for k in ("levels", "range", "distribution") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of levels, range or distribution (got {', '.join(given) or 'none'})"
            )
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range: low {self.range[0]} must be below high {self.range[1]}")
        return self

    @property
    def label(self) -> str:
        return self.name or self.path.split(".")[-1]

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Values of a sampled factor at probabilities u."""
        if self.range is not None:
            values = self.range[0] + u * (self.range[1] - self.range[0])
        else:
            values = self.distribution.quantile(u)
        return np.round(values) if self.integer else values

    def bounds(self) -> tuple[float, float]:
        """Range of a sampled factor (for SALib); distributions use their 0.1 % and 99.9 % points."""
        if self.range is not None:
            return self.range
        low, high = self.distribution.quantile(np.array([0.001, 0.999]))
        return float(low), float(high)


class Budget(BaseModel):
    """A budget constraint on a grid: points whose named factors add up to more are left out."""

    model_config = _CONFIG

    factors: list[str] = Field(..., min_length=1, max_length=MAX_FACTORS, description="factor names, €")
    max_eur: float = Field(..., ge=0, le=MAX_FACTOR_VALUE, description="the largest total, €")


class Design(BaseModel):
    """How the points are chosen."""

    model_config = _CONFIG

    method: Literal["grid", "lhs", "sobol", "morris"] = Field(
        ..., description="grid, lhs (Latin hypercube), sobol or morris (elementary effects)"
    )
    samples: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="lhs: points; sobol: base sample N (points = N(D+2), or N(2D+2) with second "
        "order); morris: trajectories r (points = r(D+1))",
    )
    second_order: bool = Field(False, description="sobol: also second-order indices")
    morris_levels: int = Field(4, ge=2, le=100, description="morris: levels of the grid (even)")
    budget: Budget | None = Field(None, description="grid: leave out points above a total budget")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of the sampling (not of the runs)")

    @model_validator(mode="after")
    def _check(self) -> Design:
        if self.method == "morris" and self.morris_levels % 2:
            raise ValueError(f"morris_levels must be even (SALib's design), got {self.morris_levels}")
        if self.budget is not None and self.method != "grid":
            raise ValueError("a budget constraint applies to grid designs only")
        return self


class Outputs(BaseModel):
    """What each run keeps."""

    model_config = _CONFIG

    indicators: list[str] = Field(
        default_factory=lambda: [
            "unemployment_rate",
            "youth_unemployment_rate",
            "neet_share",
            "poverty_rate",
            "startups_alive",
            "startup_jobs",
            "no2_popweighted",
            "pm25_popweighted",
            "attributable_deaths_pm25",
        ],
        min_length=1,
        max_length=200,
        description="metro indicators to keep",
    )
    months: Literal["all", "final_year", "year_ends"] | list[Annotated[int, Field(ge=1, le=MAX_MONTHS)]] = (
        Field(
            "final_year",
            max_length=MAX_MONTHS,
            description="all months, the last 12, every December, or a list of month numbers",
        )
    )

    @field_validator("indicators")
    @classmethod
    def _check_indicators(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in METRO_NAMES:
                close = difflib.get_close_matches(name, METRO_NAMES, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"unknown indicator {name!r}{hint}")
        return value


class Experiment(BaseModel):
    """An experiment file, validated."""

    model_config = _CONFIG

    name: str = Field(
        ..., pattern=r"^[A-Za-z0-9_-]+$", max_length=80, description="identifier of the experiment"
    )
    description: str = Field("", max_length=5000, description="what it explores")
    scenario: str = Field(..., description="base scenario file, relative to the experiment file")
    compare_with: str | None = Field(
        None,
        description="scenario file, relative to the experiment file: each run keeps its differences "
        "from a paired run of it (same seed, replicate and `parameters.` factors)",
    )
    factors: list[Factor] = Field(
        ..., min_length=1, max_length=MAX_FACTORS, description="the values varied (at most 50)"
    )
    design: Design
    replicates: int = Field(1, ge=1, le=MAX_REPLICATES, description="runs per point")
    outputs: Outputs = Field(default_factory=Outputs)
    scale: Scale | None = Field(
        None,
        description="scale of every run (default: the scenario's); at least the model's minimum",
    )
    months: int | None = Field(
        None, ge=1, le=MAX_MONTHS, description="months of every run (default: the scenario's)"
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="root seed of the runs")
    batch_size: int = Field(4, ge=1, le=10_000, description="runs per task sent to a worker")

    @model_validator(mode="after")
    def _check_design(self) -> Experiment:
        kinds = {"levels" if f.levels is not None else "sampled" for f in self.factors}
        if self.design.method == "grid" and kinds != {"levels"}:
            raise ValueError("a grid design needs `levels` for every factor")
        if self.design.method != "grid":
            if kinds != {"sampled"}:
                raise ValueError(
                    f"a {self.design.method} design needs a `range` or `distribution` for every factor"
                )
            if self.design.samples is None:
                raise ValueError(f"a {self.design.method} design needs `samples`")
        labels = [f.label for f in self.factors]
        if len(set(labels)) != len(labels):
            raise ValueError(f"factor names must differ, got {', '.join(labels)}; give them a `name`")
        unknown = sorted(set(self.design.budget.factors) - set(labels)) if self.design.budget else []
        if unknown:
            raise ValueError(
                f"design.budget: unknown factors {', '.join(unknown)}; factors: {', '.join(labels)}"
            )
        points = self.points()
        if points > MAX_POINTS:
            raise ValueError(f"the design has {points:,} points; at most {MAX_POINTS:,}")
        if points * self.replicates > MAX_RUNS:
            raise ValueError(
                f"{points:,} points x {self.replicates} replicates = {points * self.replicates:,} runs; "
                f"at most {MAX_RUNS:,}"
            )
        return self

    def points(self) -> int:
        """Number of points of the design, known before it is made."""
        if self.design.method == "grid":
            return math.prod(len(f.levels or ()) for f in self.factors)
        if self.design.method == "lhs":
            return self.design.samples
        if self.design.method == "morris":
            return self.design.samples * (len(self.factors) + 1)
        second = 2 if self.design.second_order else 1
        return self.design.samples * (second * len(self.factors) + 2)


class LoadedExperiment:
    """An experiment with its base scenario document and its design table."""

    def __init__(
        self,
        experiment: Experiment,
        path: Path,
        base: Document,
        design: pd.DataFrame,
        comparison: Document | None = None,
    ):
        self.experiment = experiment
        self.path = path
        self.base = base
        self.design = design
        self.comparison = comparison  # the `compare_with` scenario, or None

    @property
    def n_runs(self) -> int:
        return len(self.design) * self.experiment.replicates

    def run_keys(self) -> list[tuple[int, int]]:
        """(point, replicate) of every run, point by point."""
        return [(p, r) for p in range(len(self.design)) for r in range(self.experiment.replicates)]

    def scenario(self, point: int) -> Scenario:
        """The base scenario with the point's factor values."""
        return scenario_at(
            self.base, self.experiment.factors, self.design.iloc[point].to_dict(), str(self.path)
        )

    def comparison_scenario(self, point: int) -> Scenario | None:
        """The `compare_with` scenario with the point's model parameters, or None."""
        if self.comparison is None:
            return None
        values = self.design.iloc[point].to_dict()
        return scenario_at(self.comparison, shared_factors(self.experiment.factors), values, str(self.path))

    def fingerprint(self) -> str:
        """Hash of everything that defines the runs: resuming checks it has not changed."""
        content = {
            "experiment": self.experiment.model_dump(mode="json", exclude={"batch_size", "description"}),
            "base": self.base.data,
            "design": self.design.to_dict(orient="list"),
        }
        if self.comparison is not None:
            content["comparison"] = self.comparison.data
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_experiment(path: str | os.PathLike) -> LoadedExperiment:
    """Read, validate and expand an experiment file; InputError names the file, line and key."""
    path = Path(path)
    document = read_document(path, shown(str(path)), kind="experiment file")
    try:
        experiment = Experiment.model_validate(document.data)
    except ValidationError as error:
        raise InputError(_format_experiment_errors(error, document)) from None
    for factor in experiment.factors:  # each path, before any point is made
        split_key_path(factor.path, document.origin(("factors",)))
    base = load_document(path.parent / experiment.scenario)  # read once: the runs' snapshot
    validate_document(base)  # reports a bad base scenario with its own file and line
    comparison = None
    if experiment.compare_with is not None:
        comparison = load_document(path.parent / experiment.compare_with)
        validate_document(comparison)
    design = make_design(experiment)
    if design.empty:
        raise InputError(
            f"{path}: design.budget: no point of the grid is within {experiment.design.budget.max_eur:g} €"
        )
    for name, corner in (("lowest", design.min()), ("highest", design.max())):
        try:
            scenario_at(base, experiment.factors, corner.to_dict(), str(path))
            if comparison is not None:
                scenario_at(comparison, shared_factors(experiment.factors), corner.to_dict(), str(path))
        except InputError as error:
            raise InputError(
                f"{path}: factors: the {name} design values do not make a valid scenario:\n{error}"
            ) from None
    return LoadedExperiment(experiment, path, base, design, comparison)


def shared_factors(factors: list[Factor]) -> list[Factor]:
    """The factors that are model parameters: a paired comparison run gets them too (the
    programmes' own fields only change the scenario)."""
    return [f for f in factors if f.path.split(".")[0] == "parameters"]


def make_design(experiment: Experiment) -> pd.DataFrame:
    """The design: one row per point, one column per factor (by its label)."""
    factors = experiment.factors
    labels = [f.label for f in factors]
    method = experiment.design.method
    if method == "grid":
        rows = list(itertools.product(*(f.levels for f in factors)))
        table = pd.DataFrame(rows, columns=labels)
        budget = experiment.design.budget
        if budget is not None:
            table = table[table[budget.factors].sum(axis=1) <= budget.max_eur].reset_index(drop=True)
        return table
    unit = unit_design(experiment)
    columns = {
        label: factor.quantile(unit[:, k])
        for k, (label, factor) in enumerate(zip(labels, factors, strict=True))
    }
    return pd.DataFrame(columns)


def unit_design(experiment: Experiment) -> np.ndarray:
    """A sampled design in the unit cube (points x factors): the probabilities of the factors'
    values, as SALib's analyses read them."""
    design = experiment.design
    dimension = len(experiment.factors)
    if design.method == "lhs":
        return qmc.LatinHypercube(d=dimension, seed=design.seed).random(design.samples)
    problem = {"num_vars": dimension, "names": [f.label for f in experiment.factors]}
    problem["bounds"] = [[0.0, 1.0]] * dimension
    if design.method == "morris":
        from SALib.sample import morris

        unit = morris.sample(problem, design.samples, num_levels=design.morris_levels, seed=design.seed)
    else:
        from SALib.sample import sobol

        unit = sobol.sample(problem, design.samples, calc_second_order=design.second_order, seed=design.seed)
    return np.clip(unit, 1e-9, 1 - 1e-9)  # inverse CDFs of unbounded distributions need u in (0, 1)


def scenario_at(base: Document, factors: list[Factor], values: dict[str, Any], display: str) -> Scenario:
    """The base scenario document with the factors set to `values`, validated."""
    document = Document(copy.deepcopy(base.data), dict(base.origins), list(base.sources), list(base.contents))
    for factor in factors:
        value = values[factor.label]
        value = value.item() if isinstance(value, np.generic) else value
        origin = Origin(display, setting=f"{factor.path}={value}")
        parts = split_key_path(factor.path, origin)
        container, key_path = container_of(document.data, parts, origin)
        container[key_path[-1]] = value
        document.origins[key_path] = origin
    normalise_document(document)
    scenario = validate_document(document)
    scenario._sources, scenario._contents = tuple(base.sources), tuple(base.contents)
    return scenario


def _format_experiment_errors(error: ValidationError, document: Document) -> str:
    """One line per problem: file, line, key path, what was expected (closest key for unknown ones)."""
    lines: list[str] = []
    items = error.errors()
    for item in items[: MAX_ERRORS * 5]:
        path = tuple(
            part for part in item["loc"] if not (isinstance(part, str) and part.startswith("function-"))
        )
        where = document.origin(path)
        text = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            owner = _model_at(path[:-1])
            allowed = list(owner.model_fields) if owner else []
            close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
            text = f"unknown key {path[-1]!r}; allowed here: {', '.join(allowed)}" + (
                f"; did you mean {close[0]!r}?" if close else ""
            )
        elif item["type"] == "missing":
            text = "required key missing"
        elif "input" in item and item["type"] not in ("value_error",):
            text = f"{text}, got {show_value(item['input'])}"
        lines.append(f"{where}: {shown(format_path(path), 200) or 'the experiment'}: {text}")
    unique = list(dict.fromkeys(lines))
    more = len(unique) - MAX_ERRORS + len(items) - min(len(items), MAX_ERRORS * 5)
    return "\n".join(unique[:MAX_ERRORS] + ([f"... and {more:,} more"] if more > 0 else []))


def _model_at(path: tuple) -> type[BaseModel] | None:
    """The pydantic model that describes the mapping at `path` of an experiment file."""
    model: type[BaseModel] | None = Experiment
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        annotation = getattr(field, "annotation", None)
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            args = [a for c in candidates for a in getattr(c, "__args__", ())]
            model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return model
