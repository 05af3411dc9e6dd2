"""The model behind one browser session: settings, scenario catalogue, build, step and snapshots.

Nothing here knows about Solara. A `SessionModel` owns one `AMPModel`; it builds it from
`Settings` (a scenario file, the app's scale and seed, parameter values and programme
intensities), steps it under a lock, and publishes immutable `Frame`s that the page draws, so that
drawing never reads a model that is being stepped.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import annotated_types
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ampsim.core.errors import InputError
from ampsim.indicators import ZONE_NAMES
from ampsim.interventions import InterventionConfig
from ampsim.model import AMPModel, ModelParameters, Scale, make_parameters
from ampsim.scenarios.loading import load_scenario
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.runner import build_model
from ampsim.studies.runner import settings_for as run_settings_for
from ampsim.world.population import check_scale

# The app runs scenarios at the scenarios' own scale, where the calibration targets pass in at
# least 95 % of replicates (`ampsim targets --replicates 20 --scale S`: 54 of 56 at 0.05, youth
# unemployment being met in 90 % of replicates in two late Decembers; smaller scales fail
# more, and at 0.01 the zone-level targets cannot be evaluated): about 97,000 residents, a month
# in a few tens of milliseconds.
DEFAULT_SCALE = 0.05
MAX_SCALE = 0.1
DEFAULT_SEED = 2026
MAX_SEED = 2**32 - 1
BASELINE = "baseline"
POLLUTANTS = ("no2", "pm10", "pm25")

# One model computes at a time in the process: Numba's parallel kernels must not be launched from
# two threads at once under its fallback threading layer, and the machine's cores are shared anyway.
COMPUTE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Lever:
    """A slider for one model parameter, by its dotted path in the parameter tree."""

    path: str
    label: str
    low: float
    high: float
    step: float
    unit: str = ""


PARAMETER_LEVERS = (
    Lever("labour.matching_elasticity", "Matching elasticity (hires to job seekers)", 0.3, 0.9, 0.01),
    Lever("labour.separation_rate", "Job loss rate", 0.0, 0.01, 0.0005, "per month"),
    Lever("startups.founding_rate", "Startup foundings", 0.0, 40.0, 1.0, "per month"),
)
INTENSITY_MAX = 2.0  # programme intensity sliders go from 0 (off) to 200 %

# the fields an intensity multiplies, by intervention type (with the budget, when there is one)
INTENSITY_FIELDS: dict[str, tuple[str, ...]] = {
    "urban_renewal": ("housing_units", "jobs", "amenity_gain"),
    "sensor_rollout": ("portable_sensors", "fixed_stations", "school_sensors"),
    "participatory_budget": ("eur_per_resident",),
    "youth_training": ("seats_per_year",),
    "incubator": ("capacity",),
    "seed_fund": (),
    "science_park": ("extra_startups_per_year", "jobs"),
    "low_emission_zone": ("compliance", "car_penalty"),
    "transit_improvement": ("transit_bonus",),
    "industrial_abatement": ("reduction",),
}


# --- the scenarios offered ---------------------------------------------------------------------
@dataclass(frozen=True)
class Catalogue:
    """The scenarios the page offers, by name, and the files that could not be read."""

    scenarios: Mapping[str, Scenario]
    problems: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return list(self.scenarios)

    def get(self, name: str) -> Scenario:
        if name not in self.scenarios:
            raise InputError(f"unknown scenario {name!r}; expected one of {', '.join(self.scenarios)}")
        return self.scenarios[name]


def scenarios_folder() -> Path | None:
    """The repository's scenarios/ beside the package, else ./scenarios, else None."""
    for folder in (Path(__file__).resolve().parents[2] / "scenarios", Path.cwd() / "scenarios"):
        if folder.is_dir():
            return folder
    return None


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """The scenario files of `folder` (default: `scenarios_folder()`), the baseline first; the
    built-in baseline when there are none."""
    folder = folder if folder is not None else scenarios_folder()
    scenarios: dict[str, Scenario] = {}
    problems: list[str] = []
    paths = sorted(folder.glob("*.yaml")) if folder is not None and folder.is_dir() else []
    for path in sorted(paths, key=lambda p: (p.stem != BASELINE, p.stem)):
        try:
            scenario = load_scenario(path)
        except InputError as error:
            problems.append(str(error))
            continue
        scenarios.setdefault(scenario.name, scenario)
    if not scenarios:
        scenarios[BASELINE] = Scenario(name=BASELINE, description="The metropolis with no new programme.")
    return Catalogue(scenarios, tuple(problems))


# --- what the user chose -----------------------------------------------------------------------
class Settings(BaseModel):
    """Everything a model is built from; invalid values are refused with a readable message."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scenario: str = BASELINE
    scale: Scale = Field(DEFAULT_SCALE, le=MAX_SCALE)  # Scale: at least the model's minimum
    seed: int = Field(DEFAULT_SEED, ge=0, le=MAX_SEED)
    parameters: tuple[tuple[str, float], ...] = ()  # (dotted path, value) for each parameter lever
    intensities: tuple[float, ...] = ()  # one per intervention of the scenario, 0 (off) to 2

    def parameter(self, path: str) -> float:
        return dict(self.parameters)[path]


def parameter_value(params: ModelParameters, path: str) -> float:
    """The value of a parameter given by its dotted path."""
    value: Any = params
    for part in path.split("."):
        value = getattr(value, part)
    return float(value)


def settings_for(
    catalogue: Catalogue, name: str, scale: float = DEFAULT_SCALE, seed: int = DEFAULT_SEED
) -> Settings:
    """Settings for a scenario as written: its parameter values and full intensities."""
    scenario = catalogue.get(name)
    params = scenario.model_parameters()
    return Settings(
        scenario=name,
        scale=scale,
        seed=seed,
        parameters=tuple((lever.path, parameter_value(params, lever.path)) for lever in PARAMETER_LEVERS),
        intensities=(1.0,) * len(scenario.interventions),
    )


def make_settings(**values: Any) -> Settings:
    """Validated settings, or InputError with one readable line."""
    try:
        return Settings(**values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{where}: {first['msg']}") from None


def parse_scale(text: str) -> float:
    """A scale typed by a user, in (0, MAX_SCALE] and at least the model's minimum."""
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        raise InputError(f"scale: expected a number in (0, {MAX_SCALE:g}], got {text!r}") from None
    if not (math.isfinite(value) and 0 < value <= MAX_SCALE):
        raise InputError(f"scale: expected a number in (0, {MAX_SCALE:g}], got {text!r}")
    return check_scale(value)  # at least the model's minimum, or a message saying why


def parse_seed(text: str) -> int:
    """A seed typed by a user: a whole number from 0 to 2**32 - 1."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise InputError(f"seed: expected a whole number from 0 to {MAX_SEED}, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise InputError(f"seed: expected a whole number from 0 to {MAX_SEED}, got {text!r}")
    return value


def session_scenario(catalogue: Catalogue, settings: Settings) -> Scenario:
    """The chosen scenario with the sliders' parameter values and programme intensities, or
    InputError saying what is wrong."""
    scenario = catalogue.get(settings.scenario)
    levers = {lever.path: lever for lever in PARAMETER_LEVERS}
    tree = scenario.model_parameters().model_dump()
    for path, value in settings.parameters:
        lever = levers.get(path)
        if lever is None:
            raise InputError(f"unknown parameter {path!r}")
        if not (math.isfinite(value) and lever.low <= value <= lever.high):
            raise InputError(
                f"{lever.label}: expected a value from {lever.low:g} to {lever.high:g}, got {value!r}"
            )
        group, name = path.split(".")
        tree[group][name] = value
    make_parameters(tree)  # the sliders' values must make a valid parameter tree
    if len(settings.intensities) != len(scenario.interventions):
        raise InputError(
            f"expected {len(scenario.interventions)} programme intensities for {scenario.name}, "
            f"got {len(settings.intensities)}"
        )
    interventions = []
    for config, factor in zip(scenario.interventions, settings.intensities, strict=True):
        if not (math.isfinite(factor) and 0 <= factor <= INTENSITY_MAX):
            raise InputError(
                f"{config.label}: expected an intensity from 0 to {INTENSITY_MAX:g}, got {factor!r}"
            )
        if factor > 0:
            interventions.append(scaled_intervention(config, factor))
    return scenario.model_copy(update={"parameters": tree, "interventions": interventions})


def scaled_intervention(config: InterventionConfig, factor: float) -> InterventionConfig:
    """The intervention with its budget and key quantities multiplied by `factor`, within their bounds."""
    names = [*INTENSITY_FIELDS.get(config.type, ()), "budget_eur"]
    update: dict[str, Any] = {}
    for name in names:
        value = getattr(config, name)
        if value is None:
            continue
        info = type(config).model_fields[name]
        scaled = value * factor
        for bound in info.metadata:
            if isinstance(bound, annotated_types.Le):
                scaled = min(scaled, bound.le)
            elif isinstance(bound, annotated_types.Ge):
                scaled = max(scaled, bound.ge)
        update[name] = round(scaled) if isinstance(value, int) else float(scaled)
    return type(config).model_validate({**config.model_dump(), **update})


# --- what the page draws -----------------------------------------------------------------------
@dataclass(frozen=True)
class SensorView:
    """A sensor as drawn: where it is and its last readings (µg/m³)."""

    name: str
    kind: str
    x_km: float
    y_km: float
    readings: tuple[tuple[str, float], ...]


@dataclass(frozen=True, eq=False)
class Frame:
    """An immutable snapshot of one model after a build or a step (compared by identity)."""

    settings: Settings
    generation: int
    month: int  # months simulated; 0 before the first step
    months: int  # length of the horizon
    start: str
    date: str  # "initialising" before the first step, else YYYY-MM
    running: bool
    residents: int
    zone_values: np.ndarray | None  # (zones, ZONE_NAMES) of the last month; None before the first
    fields: Mapping[str, np.ndarray]  # NO2, PM10 and PM2.5 on the grid, µg/m³
    sensors: tuple[SensorView, ...]
    metro: tuple[dict, ...]
    parameters: tuple[tuple[str, float], ...]  # as the model holds them
    programmes: tuple[str, ...]
    step_seconds: float | None = None
    build_seconds: float | None = None

    def zone_value(self, zone: int, indicator: str) -> float:
        if self.zone_values is None:
            return float("nan")
        return float(self.zone_values[zone, ZONE_NAMES.index(indicator)])


def snapshot(model: AMPModel, settings: Settings, generation: int, **timing: float) -> Frame:
    """A frame of the model as it is now (copies of everything that the next step changes)."""
    stepped = model.month >= 1
    return Frame(
        settings=settings,
        generation=generation,
        month=max(model.month, 0),
        months=model.months,
        start=f"{model.start_year}-{model.start_month:02d}",
        date=model.date_label if stepped else "initialising",
        running=bool(model.running),
        residents=int(model.residents.n),
        zone_values=np.array(model.metrics.zone_rows[-1], copy=True) if model.metrics.zone_rows else None,
        fields={name: np.array(getattr(model.pollution, name), copy=True) for name in POLLUTANTS},
        sensors=tuple(
            SensorView(s.name, s.kind, float(s.x_km), float(s.y_km), tuple(s.reading.items()))
            for s in sorted(model.sensors.agents, key=lambda s: s.number)
        ),
        metro=tuple(model.metrics.metro_rows),
        parameters=tuple(
            (lever.path, parameter_value(model.params, lever.path)) for lever in PARAMETER_LEVERS
        ),
        programmes=tuple(i.name for i in model.interventions),
        **timing,
    )


@dataclass
class SessionModel:
    """One session's model: built from settings, stepped one month at a time, never concurrently."""

    catalogue: Catalogue
    calibration_months: int | None = None  # None: the scenario's spin-up
    wanted: tuple[Settings, int] | None = None  # what the page asks for: settings and a reset count
    _model: AMPModel | None = field(default=None, repr=False)
    _built: tuple[Settings, int] | None = field(default=None, repr=False)
    _frame: Frame | None = field(default=None, repr=False)
    closed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def frame(self) -> Frame | None:
        """The latest snapshot (None before the first build)."""
        return self._frame

    def build(self) -> Frame:
        """Build the model that is wanted now (unless it is already built); waits for a running step.

        Requests that arrive while a build runs are served by one build of the latest request."""
        with self._lock:
            target = self.wanted
            if self.closed:
                raise InputError("the session has ended")
            if target is None:
                raise InputError("no settings to build a model from")
            if target == self._built and self._frame is not None:
                return self._frame
            settings, generation = target
            scenario = session_scenario(self.catalogue, settings)
            run_settings = run_settings_for(
                scenario, scale=settings.scale, seed=settings.seed, spin_up_months=self.calibration_months
            )
            self._discard_model()
            started = time.perf_counter()
            with COMPUTE_LOCK:
                model = build_model(scenario, run_settings)
            self._model, self._built = model, target
            self._frame = snapshot(model, settings, generation, build_seconds=time.perf_counter() - started)
            return self._frame

    def step(self) -> Frame | None:
        """Simulate one month; None when another step or a build holds the model."""
        if self.closed or not self._lock.acquire(blocking=False):
            return None
        try:
            model = self._model
            if model is None or self._built is None:
                return None
            if model.running:
                started = time.perf_counter()
                with COMPUTE_LOCK:
                    model.step()
                settings, generation = self._built
                self._frame = snapshot(
                    model, settings, generation, step_seconds=time.perf_counter() - started
                )
            return self._frame
        finally:
            self._lock.release()

    def close(self) -> None:
        """Release the model (the session ended)."""
        self.closed = True
        with self._lock:
            self._discard_model()
            self._frame = None

    def _discard_model(self) -> None:
        if self._model is not None:
            self._model.close()
        self._model, self._built = None, None
