"""The page: scenario, parameters and programmes on the left; date, controls, maps and charts.

Each browser session renders its own `Page`, which owns its own `SessionModel` (Solara keeps the
memo per session). Building and stepping run in Solara tasks (threads), so the page stays
responsive; every change of scenario, parameter, programme, scale or seed rebuilds the model and
restarts from the first month.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import solara
import solara.lab

from ampsim.app.components import (
    FIELDS,
    INDICATORS,
    MapView,
    MetroCharts,
    ZoneDetails,
    air_map_props,
    map_payload,
    zone_map_props,
)
from ampsim.app.controller import (
    BASELINE,
    DEFAULT_SCALE,
    DEFAULT_SEED,
    INTENSITY_MAX,
    MAX_SCALE,
    PARAMETER_LEVERS,
    Catalogue,
    Frame,
    SessionModel,
    Settings,
    load_catalogue,
    make_settings,
    parse_scale,
    parse_seed,
    session_scenario,
    settings_for,
)
from ampsim.core.errors import InputError
from ampsim.world.territory import load_territory

TITLE = "ampsim: Aix-Marseille-Provence"
CSS = """
.amp-page { width: 100%; padding: 8px; }
.amp-side { width: 340px; min-width: 300px; flex: 0 0 340px; }
.amp-main { flex: 1 1 auto; min-width: 0; }
.amp-title { font-size: 20px; font-weight: 700; }
.amp-date { font-size: 28px; font-weight: 700; font-variant-numeric: tabular-nums; }
.amp-status { color: #555; font-size: 13px; }
.amp-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 8px; }
.amp-chart { width: 100%; height: auto; border: 1px solid #e3e3e3; border-radius: 4px; background: #fff; }
.amp-info { font-size: 12px; color: #444; }
.amp-lever-label { font-size: 13px; margin-bottom: -6px; }
"""


def lever_class(path: str) -> str:
    """CSS class of a parameter slider's wrapper (tests find sliders by it)."""
    return "amp-lever-" + path.replace(".", "-").replace("_", "-")


def input_error(parse: Callable[[str], object], text: str) -> str | bool:
    """The message for a typed value that `parse` refuses, or False."""
    try:
        parse(text)
    except InputError as error:
        return str(error)
    return False


def default_scenario(catalogue: Catalogue) -> str:
    return BASELINE if BASELINE in catalogue.scenarios else catalogue.names[0]


@solara.component
def Page():  # noqa: N802
    """The app as served: one per browser session."""
    return App()


@dataclass
class SettingsEditor:
    """What the page's inputs do to the settings: validate, report a refused value, apply."""

    catalogue: Catalogue
    settings: solara.Reactive
    problem: solara.Reactive
    playing: solara.Reactive
    selected: solara.Reactive
    scale_text: solara.Reactive
    seed_text: solara.Reactive

    def change(self, **values) -> None:
        """Apply new settings (validated), stopping the run; the model is rebuilt."""
        try:
            new = make_settings(**{**self.settings.value.model_dump(), **values})
            session_scenario(self.catalogue, new)  # out-of-range values are refused here
        except InputError as error:
            self.problem.set(str(error))
            return
        self.problem.set("")
        self.playing.set(False)
        self.settings.set(new)

    def pick_scenario(self, name: str) -> None:
        if name not in self.catalogue.scenarios:
            self.problem.set(f"unknown scenario {name!r}")
            return
        self.problem.set("")
        self.playing.set(False)
        self.selected.set(None)
        current = self.settings.value
        self.settings.set(settings_for(self.catalogue, name, current.scale, current.seed))

    def set_parameter(self, path: str, value: object) -> None:
        number = _number(value)
        if number is None:
            self.problem.set(f"{path}: expected a number, got {value!r}")
            return
        values = dict(self.settings.value.parameters)
        values[path] = number
        self.change(parameters=tuple(values.items()))

    def set_intensity(self, k: int, value: object) -> None:
        number = _number(value)
        if number is None or not 0 <= k < len(self.settings.value.intensities):
            self.problem.set(f"programme intensity: expected a number, got {value!r}")
            return
        values = list(self.settings.value.intensities)
        values[k] = number
        self.change(intensities=tuple(values))

    def type_scale(self, text: str) -> None:
        self._typed(self.scale_text, text, parse_scale, "scale")

    def type_seed(self, text: str) -> None:
        self._typed(self.seed_text, text, parse_seed, "seed")

    def _typed(self, shown: solara.Reactive, text: str, parse: Callable[[str], object], name: str) -> None:
        shown.set(text)
        try:
            self.change(**{name: parse(text)})
        except InputError as error:
            self.problem.set(str(error))


@solara.component
def App(  # noqa: N802
    scale: float = DEFAULT_SCALE, calibration_months: int | None = None, scenarios: Path | None = None
):
    """The whole app; `scale`, `calibration_months` and `scenarios` are the starting scale, the
    spin-up length and the scenario folder (default: the repository's `scenarios/`)."""
    catalogue = solara.use_memo(lambda: load_catalogue(scenarios), [])
    territory = solara.use_memo(load_territory, [])
    session = solara.use_memo(lambda: SessionModel(catalogue, calibration_months), [])
    solara.use_effect(lambda: session.close, [])  # release the model when the session ends

    settings = solara.use_reactive(settings_for(catalogue, default_scenario(catalogue), scale))
    generation = solara.use_reactive(0)  # reset count: a new value rebuilds the same settings
    frame = solara.use_reactive(None)
    playing = solara.use_reactive(False)
    delay_ms = solara.use_reactive(200)
    selected = solara.use_reactive(None)
    problem = solara.use_reactive("")  # a refused input, shown until the next valid change
    failure = solara.use_reactive("")  # a month that could not be simulated
    editor = SettingsEditor(
        catalogue,
        settings,
        problem,
        playing,
        selected,
        solara.use_reactive(f"{scale:g}"),
        solara.use_reactive(str(DEFAULT_SEED)),
    )

    session.wanted = (settings.value, generation.value)
    build_task, step_task = use_model_tasks(session, frame, playing, delay_ms, failure)

    current: Frame | None = frame.value
    ready = (
        current is not None and current.settings == settings.value and current.generation == generation.value
    )
    shown = current if ready else None
    build_error = bool(build_task.error) and not ready

    def reset() -> None:
        playing.set(False)
        generation.set(generation.value + 1)

    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.Row(gap="16px", classes=["amp-page"], style="align-items: flex-start; flex-wrap: nowrap"):
        with solara.Column(gap="8px", classes=["amp-side"]):
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(TITLE), classes=["amp-title"])
            ScenarioCard(catalogue, settings.value, editor.pick_scenario)
            ParameterCard(
                settings.value,
                editor.set_parameter,
                editor.scale_text.value,
                editor.type_scale,
                editor.seed_text.value,
                editor.type_seed,
            )
            ProgrammeCard(catalogue, settings.value, editor.set_intensity)
            with solara.Card("Zone", margin=0):
                ZoneDetails(shown, territory, selected.value, on_close=lambda: selected.set(None))
        with solara.Column(gap="12px", classes=["amp-main"]):
            RunControls(shown, ready, playing, delay_ms, step_task, reset, build_error)
            Status(shown, ready, build_error, str(build_task.exception or ""), problem.value)
            if failure.value:
                solara.Error(failure.value, dense=True, classes=["amp-failure"])
            Maps(shown, territory, selected)
            MetroCharts(shown)


def use_model_tasks(session: SessionModel, frame, playing, delay_ms, failure):
    """The page's background work: build the wanted model, step once, and play month after month.
    Returns the build and step tasks."""

    def build() -> None:
        frame.set(session.build())
        failure.set("")

    build_task = solara.lab.use_task(build, dependencies=list(session.wanted), raise_error=False)

    def advance() -> Frame | None:
        return advance_session(session, playing, failure)

    def step_once() -> None:
        result = advance()
        if result is not None:
            frame.set(result)

    step_task = solara.lab.use_task(step_once, dependencies=None, raise_error=False)

    def play() -> None:
        while playing.value and not session.closed:
            result = advance()
            if result is None:  # a build holds the model (or the month failed): wait, or stop
                time.sleep(0.05)
                continue
            frame.set(result)
            if not result.running:
                playing.set(False)
                return
            time.sleep(max(0, min(delay_ms.value, 5000)) / 1000)

    solara.lab.use_task(play, dependencies=[playing.value], raise_error=False)
    return build_task, step_task


def advance_session(session: SessionModel, playing, failure) -> Frame | None:
    """One month, or None when the model is busy; a failure stops the run with a message."""
    try:
        result = session.step()
    except Exception as error:  # a failing month must not take the page down
        playing.set(False)
        failure.set(f"The month could not be simulated: {error}")
        return None
    if result is not None:
        failure.set("")
    return result


@solara.component
def RunControls(  # noqa: N802
    frame: Frame | None,
    ready: bool,
    playing,
    delay_ms,
    step_task,
    reset: Callable[[], None],
    build_error: bool,
):
    """The simulated date, Step, Play/Pause, Reset and the delay between months."""
    with solara.Row(gap="16px", style="align-items: center; flex-wrap: wrap"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html.escape(frame.date if frame is not None else "initialising"),
            classes=["amp-date"],
            attributes={"data-testid": "sim-date"},
        )
        solara.Button("Step", on_click=step_task, disabled=not ready or playing.value)
        solara.Button(
            "Pause" if playing.value else "Play",
            on_click=lambda: playing.set(not playing.value),
            disabled=frame is None or not frame.running,
            color="primary",
        )
        solara.Button("Reset", on_click=reset, disabled=not ready and not build_error)
        with solara.Column(gap="0px", style="min-width: 240px"):
            solara.Text(f"Delay between months: {delay_ms.value} ms", classes=["amp-lever-label"])
            NumberSlider(delay_ms.value, 0, 2000, 50, lambda v: delay_ms.set(int(max(0, min(v, 2000)))))


@solara.component
def Maps(frame: Frame | None, territory, selected):  # noqa: N802
    """The zone map coloured by a chosen indicator, and the air map of a chosen pollutant."""
    indicator = solara.use_reactive("unemployment_rate")
    pollutant = solara.use_reactive("no2")
    zone_map = solara.use_memo(
        lambda: map_payload(zone_map_props(frame, territory, indicator.value, selected.value)),
        [frame, indicator.value, selected.value],
    )
    air_map = solara.use_memo(
        lambda: map_payload(air_map_props(frame, territory, pollutant.value)), [frame, pollutant.value]
    )
    with solara.Columns([1, 1], gutters_dense=True):
        with solara.Column(gap="4px"):
            labels = {spec.label: name for name, spec in INDICATORS.items()}
            with solara.Column(gap="0px", classes=["amp-indicator"]):
                solara.Select(
                    "Colour zones by",
                    value=INDICATORS[indicator.value].label,
                    values=list(labels),
                    on_value=lambda label: indicator.set(labels.get(label, "unemployment_rate")),
                )
            MapView(
                **zone_map,
                event_zone_click=lambda index: selected.set(_zone_index(index, territory.n_zones)),
            )
        with solara.Column(gap="4px"):
            names = {label: name for name, (label, *_rest) in FIELDS.items()}
            solara.ToggleButtonsSingle(
                value=FIELDS[pollutant.value][0],
                values=list(names),
                on_value=lambda label: pollutant.set(names.get(label, "no2")),
            )
            MapView(**air_map)


def _number(value: object) -> float | None:
    """A finite number sent by the browser, or None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _zone_index(value: object, n_zones: int) -> int | None:
    """A zone index sent by the browser, or None when it is not one."""
    try:
        index = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < n_zones else None


@solara.component
def Status(frame: Frame | None, ready: bool, build_failed: bool, build_error: str, problem: str):  # noqa: N802
    """What the model is doing, what it is, and any refused input."""
    if build_failed:
        solara.Error(f"The model could not be built: {build_error}")
    elif not ready:
        with solara.Row(style="align-items: center"):
            solara.SpinnerSolara(size="40px")
            solara.HTML(
                tag="div",
                unsafe_innerHTML="Building the model: synthetic population and a ten-year calibration "
                "(a few seconds)…",
                classes=["amp-status"],
                attributes={"data-testid": "status"},
            )
    else:
        assert frame is not None
        parameters = ", ".join(
            f"{lever.label.split(' (')[0].lower()} {value:g}"
            for lever, (_, value) in zip(PARAMETER_LEVERS, frame.parameters, strict=True)
        )
        programmes = ", ".join(frame.programmes) or "none"
        timing = (
            f"last month computed in {1000 * frame.step_seconds:.0f} ms"
            if frame.step_seconds is not None
            else f"built in {frame.build_seconds or 0:.1f} s; press Step or Play"
        )
        text = (
            f"Scenario {frame.settings.scenario} · scale {frame.settings.scale:g} "
            f"({frame.residents:,} simulated residents) · seed {frame.settings.seed} · "
            f"month {frame.month} of {frame.months} from {frame.start} · {timing}"
            f"<br>Parameters: {parameters} · programmes: {html.escape(programmes)}"
        )
        solara.HTML(
            tag="div", unsafe_innerHTML=text, classes=["amp-info"], attributes={"data-testid": "model-info"}
        )
    if problem:
        solara.Warning(f"Not applied: {problem}", dense=True, classes=["amp-input-problem"])


@solara.component
def NumberSlider(  # noqa: N802
    value: float, low: float, high: float, step: float, on_value: Callable[[float], None]
):
    """A slider that passes on only finite numbers (whatever the browser sends)."""

    def accept(raw: object) -> None:
        number = _number(raw)
        if number is not None:
            on_value(number)

    return solara.v.Slider(
        v_model=value, on_v_model=accept, min=low, max=high, step=step, hide_details=True, class_="amp-slider"
    )


@solara.component
def Note(text: str, strong: bool = False):  # noqa: N802
    """A short explanatory text."""
    return solara.Text(text, style=f"font-size: 13px; display: block; font-weight: {600 if strong else 400}")


@solara.component
def ScenarioCard(catalogue: Catalogue, settings: Settings, on_pick: Callable[[str], None]):  # noqa: N802
    """The scenario picker and the picked scenario's description."""
    scenario = catalogue.get(settings.scenario)
    with solara.Card("Scenario", margin=0):
        with solara.Column(gap="0px", classes=["amp-scenario"]):
            solara.Select("Scenario", value=settings.scenario, values=catalogue.names, on_value=on_pick)
        Note(scenario.description or "No description.")
        for line in catalogue.problems:
            solara.Warning(f"Not offered: {line}", dense=True)


@solara.component
def ParameterCard(  # noqa: N802
    settings: Settings,
    on_parameter: Callable[[str, float], None],
    scale_text: str,
    on_scale: Callable[[str], None],
    seed_text: str,
    on_seed: Callable[[str], None],
):
    """Sliders for the main model parameters, and the scale and seed as text."""
    with solara.Card("Model", margin=0):
        Note("Any change here or below rebuilds the model and restarts from the first month.", strong=True)
        for lever in PARAMETER_LEVERS:
            value = settings.parameter(lever.path)
            unit = f" {lever.unit}" if lever.unit else ""
            with solara.Column(gap="0px", classes=[lever_class(lever.path)]):
                solara.Text(f"{lever.label}: {value:g}{unit}", classes=["amp-lever-label"])
                NumberSlider(
                    value, lever.low, lever.high, lever.step, lambda v, path=lever.path: on_parameter(path, v)
                )
        with solara.Column(gap="0px", classes=["amp-scale"]):
            solara.InputText(
                f"Scale, 0 to {MAX_SCALE:g} (0.01: a resident for 100 people)",
                value=scale_text,
                on_value=on_scale,
                continuous_update=False,
                error=input_error(parse_scale, scale_text),
            )
        with solara.Column(gap="0px", classes=["amp-seed"]):
            solara.InputText(
                "Seed (a whole number)",
                value=seed_text,
                on_value=on_seed,
                continuous_update=False,
                error=input_error(parse_seed, seed_text),
            )


@solara.component
def ProgrammeCard(catalogue: Catalogue, settings: Settings, on_intensity: Callable[[int, float], None]):  # noqa: N802
    """One intensity slider per programme of the scenario: its budget and quantities, 0 % (off) to 200 %."""
    scenario = catalogue.get(settings.scenario)
    with solara.Card("Programmes", margin=0):
        if not scenario.interventions:
            Note("This scenario has no programme: pick another scenario to tune its programmes.")
            return
        Note("Intensity of each programme (its budget and quantities); 0 % switches it off.")
        for k, (config, factor) in enumerate(zip(scenario.interventions, settings.intensities, strict=True)):
            with solara.Column(gap="0px", classes=[f"amp-programme-{k}"]):
                solara.Text(f"{config.label} ({config.type}): {factor:.0%}", classes=["amp-lever-label"])
                NumberSlider(factor, 0.0, INTENSITY_MAX, 0.1, lambda v, k=k: on_intensity(k, v))


page = Page
