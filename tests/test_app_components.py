"""The browser app without a browser: settings, the session's model, what the maps and charts draw,
and the page rendered with `solara.render` (small models: scale 0.01, a 2-month spin-up)."""

import threading
import time

import ipyvuetify as v
import numpy as np
import pytest
import solara
import solara.widgets

from ampsim.app.components import (
    CHARTS,
    INDICATORS,
    MapFrame,
    air_map_props,
    chart_svg,
    zone_figures,
    zone_map_props,
    zone_paths,
)
from ampsim.app.controller import (
    PARAMETER_LEVERS,
    SessionModel,
    load_catalogue,
    make_settings,
    parse_scale,
    parse_seed,
    scaled_intervention,
    scenarios_folder,
    session_scenario,
    settings_for,
)
from ampsim.app.ui import App, _zone_index
from ampsim.core.errors import InputError
from ampsim.indicators import ZONE_NAMES
from ampsim.interventions.low_emission_zone import LowEmissionZoneConfig
from ampsim.interventions.youth_training import YouthTrainingConfig

SCALE = 0.01
SPIN_UP = 2


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def stepped(catalogue):
    """A session whose model has simulated two months."""
    session = SessionModel(catalogue, calibration_months=SPIN_UP)
    session.wanted = (settings_for(catalogue, "baseline", SCALE), 0)
    session.build()
    session.step()
    session.step()
    yield session
    session.close()


def new_session(catalogue, name="baseline", generation=0):
    session = SessionModel(catalogue, calibration_months=SPIN_UP)
    session.wanted = (settings_for(catalogue, name, SCALE), generation)
    return session


# --- scenarios and settings ------------------------------------------------------------------
def test_catalogue_offers_the_scenario_files_baseline_first(catalogue):
    files = sorted(path.stem for path in scenarios_folder().glob("*.yaml"))
    assert catalogue.names[0] == "baseline"
    assert sorted(catalogue.names) == files
    assert catalogue.problems == ()


def test_without_scenario_files_only_the_builtin_baseline_is_offered(tmp_path):
    for folder in (tmp_path, tmp_path / "missing"):
        catalogue = load_catalogue(folder)
        assert catalogue.names == ["baseline"]
        assert catalogue.get("baseline").interventions == []


def test_unreadable_scenario_files_are_reported_not_offered(tmp_path):
    (tmp_path / "good.yaml").write_text("name: good\n")
    (tmp_path / "bad.yaml").write_text("name: bad\nscale: 7\n")
    catalogue = load_catalogue(tmp_path)
    assert catalogue.names == ["good"]
    assert len(catalogue.problems) == 1 and "bad.yaml" in catalogue.problems[0]


def test_settings_start_from_the_scenario_values(tmp_path):
    (tmp_path / "custom.yaml").write_text(
        "name: custom\nparameters:\n  labour.matching_elasticity: 0.55\n"
        "interventions:\n  - type: youth_training\n    seats_per_year: 500\n"
    )
    settings = settings_for(load_catalogue(tmp_path), "custom")
    assert settings.parameter("labour.matching_elasticity") == 0.55
    assert settings.parameter("startups.founding_rate") == 12.0
    assert settings.intensities == (1.0,)
    with pytest.raises(InputError, match="unknown scenario"):
        settings_for(load_catalogue(tmp_path), "nope")


@pytest.mark.parametrize("text", ["abc", "", "0", "-0.01", "0.002", "5", "0.2", "nan", "inf", "1e400"])
def test_typed_scales_outside_the_range_are_refused(text):
    with pytest.raises(InputError, match="scale"):
        parse_scale(text)


@pytest.mark.parametrize("text", ["x", "", "1.5", "-1", str(2**32)])
def test_typed_seeds_that_are_not_whole_numbers_in_range_are_refused(text):
    with pytest.raises(InputError, match="seed"):
        parse_seed(text)


def test_typed_values_in_range_are_read():
    assert parse_scale(" 0,02 ") == 0.02
    assert parse_seed("42") == 42


def test_out_of_range_settings_are_refused_with_a_message(catalogue):
    with pytest.raises(InputError, match="scale"):
        make_settings(scale=5)
    settings = settings_for(catalogue, "baseline", SCALE)
    bad = settings.model_copy(update={"parameters": (("labour.matching_elasticity", 1.5),)})
    with pytest.raises(InputError, match="Matching elasticity"):
        session_scenario(catalogue, bad)
    bad = settings.model_copy(update={"parameters": (("labour.nonsense", 1.0),)})
    with pytest.raises(InputError, match="unknown parameter"):
        session_scenario(catalogue, bad)
    bad = settings.model_copy(update={"intensities": (1.0,)})
    with pytest.raises(InputError, match="intensities"):
        session_scenario(catalogue, bad)


def test_parameter_sliders_change_the_model_parameters(catalogue):
    settings = settings_for(catalogue, "baseline", SCALE)
    values = dict(settings.parameters) | {"labour.separation_rate": 0.006}
    scenario = session_scenario(catalogue, settings.model_copy(update={"parameters": tuple(values.items())}))
    params = scenario.model_parameters()
    assert params.labour.separation_rate == 0.006
    assert {lever.path for lever in PARAMETER_LEVERS} == set(values)


def test_intensity_scales_budget_and_quantities_within_their_bounds():
    lez = scaled_intervention(LowEmissionZoneConfig(compliance=0.8, car_penalty=0.3, budget_eur=5e6), 2.0)
    assert lez.compliance == 1.0  # capped at its bound
    assert lez.car_penalty == pytest.approx(0.6)
    assert lez.budget_eur == pytest.approx(1e7)
    config = YouthTrainingConfig(seats_per_year=1500, duration_months=9, budget_eur=1.8e8)
    training = scaled_intervention(config, 0.5)
    assert training.seats_per_year == 750 and isinstance(training.seats_per_year, int)
    assert training.duration_months == 9  # not an intensity field


def test_zero_intensity_switches_a_programme_off(catalogue):
    settings = settings_for(catalogue, "youth_training", SCALE)
    interventions = session_scenario(catalogue, settings).build_interventions()
    assert [i.name for i in interventions] == ["NEET third places"]
    off = settings.model_copy(update={"intensities": (0.0,)})
    interventions = session_scenario(catalogue, off).build_interventions()
    assert interventions == []


# --- the session's model ---------------------------------------------------------------------
def test_a_session_builds_steps_and_rebuilds_on_reset(catalogue):
    session = new_session(catalogue)
    built = session.build()
    assert (built.date, built.month, built.zone_values) == ("initialising", 0, None)
    assert session.build() is built  # the same request does not rebuild
    first = session.step()
    assert (first.date, first.month) == ("2026-01", 1)
    assert first.zone_values.shape == (107, len(ZONE_NAMES))
    assert len(first.metro) == 1 and first.metro[0]["date"] == "2026-01"
    assert session.step().date == "2026-02"
    assert first.month == 1  # frames are snapshots: the next step does not change them
    session.wanted = (session.wanted[0], 1)  # reset
    again = session.build()
    assert (again.date, again.month, again.generation) == ("initialising", 0, 1)
    session.close()
    assert session.step() is None and session.frame is None


def test_a_step_is_refused_while_the_model_is_busy(catalogue):
    session = new_session(catalogue)
    session.build()
    with session._lock:  # another step or a build holds the model
        assert session.step() is None
    assert session.step().month == 1
    session.close()


def test_concurrent_steps_never_run_together(catalogue):
    session = new_session(catalogue)
    session.build()
    results = []
    threads = [threading.Thread(target=lambda: results.append(session.step())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    months = sorted(frame.month for frame in results if frame is not None)
    assert months  # at least one step was accepted
    assert months == list(range(1, len(months) + 1))  # each accepted step advanced exactly one month
    assert session.frame.month == len(months)
    session.close()


def test_two_sessions_do_not_share_their_models(catalogue):
    one, two = new_session(catalogue), new_session(catalogue, "youth_training")
    one.build(), two.build()
    one.step(), one.step()
    assert (one.frame.month, two.frame.month) == (2, 0)
    assert (one.frame.programmes, two.frame.programmes) == ((), ("NEET third places",))
    one.close(), two.close()


def test_a_failed_build_keeps_the_message(catalogue):
    session = new_session(catalogue)
    bad = settings_for(catalogue, "baseline", SCALE).model_copy(update={"scenario": "nope"})
    session.wanted = (bad, 0)
    with pytest.raises(InputError, match="unknown scenario"):
        session.build()


# --- what the page draws ---------------------------------------------------------------------
def test_zone_map_is_grey_before_the_first_month(catalogue, territory):
    session = new_session(catalogue)
    props = zone_map_props(session.build(), territory, "unemployment_rate", None)
    assert len(props["zones"]) == territory.n_zones
    assert {d["fill"] for d in props["zones"]} == {"#bbbbbb"}
    assert props["colorbar"] is None
    session.close()


@pytest.mark.parametrize("indicator", ["unemployment_rate", "median_income", "no2"])
def test_zone_map_colours_the_zones_polygons_by_the_chosen_indicator(stepped, territory, indicator):
    frame = stepped.frame
    props = zone_map_props(frame, territory, indicator, selected=5)
    discs = {d["code"]: d for d in props["zones"]}
    assert set(discs) == set(territory.codes.tolist())
    assert len({d["fill"] for d in discs.values()}) > 5
    assert INDICATORS[indicator].label in props["colorbar"]["title"]
    gardanne = discs[13041]
    value = frame.zone_value(territory.zone_index("Gardanne"), indicator)
    assert gardanne["name"] == "Gardanne" and gardanne["lines"][0].startswith(INDICATORS[indicator].label)
    assert f"{value:,.{INDICATORS[indicator].digits}f}" in gardanne["text"]
    assert props["selected"] == 5 and props["month"] == 2 and frame.date in props["title"]
    assert "IGN ADMIN EXPRESS" in props["attribution"] and "ANCT" in props["attribution"]


def test_zone_paths_trace_each_zone_s_polygon_in_map_coordinates(territory):
    paths = zone_paths(territory)
    assert len(paths) == territory.n_zones
    frame = MapFrame.of(territory)
    for zone in (0, territory.zone_index("Marseille 4e"), territory.zone_index("Aix-en-Provence")):
        numbers = np.array(
            [float(v) for v in paths[zone].replace("M", " ").replace("L", " ").replace("Z", " ").split()]
        )
        xs, ys = numbers[0::2], numbers[1::2]
        polygon = territory.shapes.polygons[zone]
        min_x, min_y, max_x, max_y = polygon.bounds
        assert xs.min() == pytest.approx(min_x - frame.x0, abs=0.2) and xs.max() == pytest.approx(
            max_x - frame.x0, abs=0.2
        )
        assert ys.min() == pytest.approx(frame.y_top - max_y, abs=0.2) and ys.max() == pytest.approx(
            frame.y_top - min_y, abs=0.2
        )
    assert len(" ".join(paths)) < 120_000  # simplified: the map travels to the browser every month


def test_air_map_draws_the_field_the_stations_and_their_readings(stepped, territory):
    props = air_map_props(stepped.frame, territory, "pm25")
    assert props["image"].startswith("data:image/png;base64,")
    stations = [m for m in props["markers"] if m["kind"] == "reference"]
    assert len(stations) == 23
    assert all("PM2.5" in m["lines"][1] for m in stations)
    assert props["width"] == territory.grid.nx and props["height"] == territory.grid.ny
    assert air_map_props(stepped.frame, territory, "no2")["image"] != props["image"]


def test_charts_draw_every_series_month_by_month(stepped):
    frame = stepped.frame
    for title, lines in CHARTS:
        svg = chart_svg(frame, title, lines)
        assert svg.count("<polyline") == len(lines)
        assert 'data-points="2"' in svg
    empty = chart_svg(new_session_frame(stepped), "a < b", CHARTS[0][1])
    assert "<polyline" not in empty and "a &lt; b" in empty


def new_session_frame(stepped):
    """A frame before the first month, from the stepped session's catalogue."""
    session = new_session(stepped.catalogue)
    frame = session.build()
    session.close()
    return frame


def test_zone_figures_list_every_indicator(stepped, territory):
    rows = dict(zone_figures(stepped.frame, territory, territory.zone_index("Marseille 3e")))
    assert rows["INSEE code"] == "13203"
    assert sum(label.endswith(stepped.frame.date) for label in rows) == len(ZONE_NAMES)


def test_zone_indices_from_the_browser_are_checked():
    assert _zone_index(3, 107) == 3
    assert _zone_index("12", 107) == 12
    for bad in (-1, 107, "x", None, 2.5e9):
        assert _zone_index(bad, 107) is None


# --- the page --------------------------------------------------------------------------------
def by_testid(rc, testid: str) -> list:
    return [
        w for w in rc.find(solara.widgets.HTML).widgets if (w.attributes or {}).get("data-testid") == testid
    ]


def text_of(rc, testid: str) -> str:
    widgets = by_testid(rc, testid)
    return widgets[0].unsafe_innerHTML if widgets else ""


def wait_until(condition, timeout: float = 120.0):
    """Poll `condition` until it is true (the page builds and steps in threads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the page")


@pytest.fixture
def page():
    _, rc = solara.render(App(scale=SCALE, calibration_months=SPIN_UP), handle_error=False)
    wait_until(lambda: by_testid(rc, "model-info"))
    yield rc
    rc.close()


def test_page_shows_initialising_then_steps_and_resets(page):
    assert text_of(page, "sim-date") == "initialising"
    assert "month 0 of 180" in text_of(page, "model-info")
    page.find(v.Btn, children=["Step"]).widget.click()
    wait_until(lambda: text_of(page, "sim-date") == "2026-01")
    assert "month 1 of 180" in text_of(page, "model-info")
    page.find(v.Btn, children=["Play"]).widget.click()
    wait_until(lambda: text_of(page, "sim-date") >= "2026-03")
    page.find(v.Btn, children=["Pause"]).widget.click()
    wait_until(lambda: page.find(v.Btn, children=["Play"]).widgets)
    page.find(v.Btn, children=["Reset"]).widget.click()
    wait_until(lambda: "month 0 of 180" in text_of(page, "model-info"))
    assert text_of(page, "sim-date") == "initialising"


def test_page_scenario_and_slider_rebuild_the_model(page):
    page.find(v.Select, label="Scenario").widget.v_model = "youth_training"
    wait_until(lambda: "Scenario youth_training" in text_of(page, "model-info"))
    assert "programmes: NEET third places" in text_of(page, "model-info")
    page.find(v.Slider, min=0.3, max=0.9).widget.v_model = 0.45  # matching elasticity
    wait_until(lambda: "matching elasticity 0.45" in text_of(page, "model-info"))


def test_page_refuses_malformed_or_out_of_range_input_and_keeps_running(page):
    for label, text in (("Scale", "abc"), ("Scale", "5"), ("Scale", "-1"), ("Seed", "1.5"), ("Seed", "-3")):
        field = next(w for w in page.find(v.TextField).widgets if w.label.startswith(label))
        field.v_model = text
        field.fire_event("focusout", None)
        wait_until(lambda text=text: any(repr(text) in str(w.children) for w in page.find(v.Alert).widgets))
        wait_until(
            lambda label=label: (
                next(w for w in page.find(v.TextField).widgets if w.label.startswith(label)).error
            )
        )
    assert "scale 0.01" in text_of(page, "model-info") and "seed 2026" in text_of(page, "model-info")
    page.find(v.Btn, children=["Step"]).widget.click()
    wait_until(lambda: text_of(page, "sim-date") == "2026-01")


def test_every_zone_indicator_has_a_label_and_a_colour_scale():
    assert set(INDICATORS) == set(ZONE_NAMES)


def test_a_month_that_fails_is_reported_and_the_page_stays_usable(page, monkeypatch):
    def broken(self):
        raise RuntimeError("kernel exploded")

    with monkeypatch.context() as patch:
        patch.setattr(SessionModel, "step", broken)
        page.find(v.Btn, children=["Step"]).widget.click()
        wait_until(lambda: any("kernel exploded" in str(w.children) for w in page.find(v.Alert).widgets))
    assert text_of(page, "sim-date") == "initialising"
    page.find(v.Btn, children=["Step"]).widget.click()
    wait_until(lambda: text_of(page, "sim-date") == "2026-01")
    wait_until(lambda: not any("kernel exploded" in str(w.children) for w in page.find(v.Alert).widgets))


def test_crafted_slider_values_are_ignored_or_refused(page):
    slider = page.find(v.Slider, min=0.3, max=0.9).widget  # matching elasticity
    for junk in ("junk", None, float("nan"), [0.5]):
        slider.v_model = junk
    slider.v_model = 5.0
    wait_until(lambda: any("got 5.0" in str(w.children) for w in page.find(v.Alert).widgets))
    assert "matching elasticity 0.6," in text_of(page, "model-info")
    delay = page.find(v.Slider, min=0.0, max=2000).widget  # the delay between months
    delay.v_model = "fast"
    slider.v_model = 0.5
    wait_until(lambda: "matching elasticity 0.5," in text_of(page, "model-info"))
    assert not any("got 5.0" in str(w.children) for w in page.find(v.Alert).widgets)
