"""The browser app in a real browser: Debian's Chromium driven by Playwright against the app served
on localhost at its default scale. Screenshots go to test-output/app/.

Skipped when Playwright for Python or /usr/bin/chromium is missing, except under .ci/run
(AMPSIM_REQUIRE_BROWSER=1), which installs both and fails instead.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output" / "app"
FIRST_BUILD_MS = 300_000  # the server's first model compiles the Numba kernels (no cache in a fresh clone)
BUILD_MS = 60_000
STEP_MS = 30_000

REQUIRED = os.environ.get("AMPSIM_REQUIRE_BROWSER") == "1"  # set by .ci/run: never skip there
try:
    from playwright import sync_api
except ImportError:
    if REQUIRED:
        raise
    pytest.skip("Playwright for Python is not installed", allow_module_level=True)
expect = sync_api.expect
if not CHROMIUM.exists():
    if REQUIRED:
        raise RuntimeError(f"AMPSIM_REQUIRE_BROWSER=1 but Debian's chromium is not at {CHROMIUM}")
    pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """The app served by `ampsim.app.serve` in a child process; yields its address."""
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = (OUT / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", f"from ampsim.app import serve; serve(port={port})"],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"the app server exited with {process.returncode}: {(OUT / 'server.log').read_text()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app server did not answer at {url} within 120 s")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_app(browser, url: str, timeout: float = BUILD_MS):
    """A new browser context (a new session) with the app loaded and its model built."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_test_id("model-info")).to_be_visible(timeout=timeout)
    return context, page


@pytest.fixture(scope="module")
def ready(browser, server):
    """The server's address once a first page has built its model (kernels compiled)."""
    context, _ = open_app(browser, server, timeout=FIRST_BUILD_MS)
    context.close()
    return server


@pytest.fixture
def app(browser, ready):
    context, page = open_app(browser, ready)
    yield page
    context.close()


@pytest.fixture
def shot(capsys):
    """Save a screenshot under test-output/app/ and print its path."""

    def save(page, name: str, full_page: bool = False) -> Path:
        path = OUT / f"{name}.png"
        page.screenshot(path=path, full_page=full_page)
        with capsys.disabled():
            print(f"\nscreenshot: {path}")
        return path

    return save


def date(page):
    return page.get_by_test_id("sim-date")


def info(page):
    return page.get_by_test_id("model-info")


def zone_map(page):
    return page.locator("[data-testid=zone-map]")


def pick_scenario(page, name: str) -> None:
    page.locator(".amp-scenario .v-select__slot").click()
    page.locator(".v-menu__content .v-list-item", has_text=re.compile(f"^{name}$")).click()


def type_into(page, field: str, text: str) -> None:
    box = page.locator(f".{field} input")
    box.fill(text)
    box.press("Enter")


def test_the_page_loads_with_maps_charts_and_the_date(app, shot):
    expect(date(app)).to_have_text("initialising")
    expect(info(app)).to_contain_text("Scenario baseline · scale 0.05")
    expect(info(app)).to_contain_text("month 0 of 180 from 2026-01")
    expect(zone_map(app).locator(".amp-zone path")).to_have_count(107)  # a choropleth of the polygons
    expect(zone_map(app).get_by_test_id("map-attribution")).to_contain_text("IGN ADMIN EXPRESS")
    expect(app.locator("[data-testid=air-map] .amp-sensor[data-kind=reference]")).to_have_count(23)
    expect(app.locator("[data-testid=air-map] image")).to_have_attribute(
        "href", re.compile("^data:image/png")
    )
    expect(app.locator("svg.amp-chart")).to_have_count(6)
    shot(app, "01-loaded")


def test_step_and_play_advance_the_date_and_change_the_map(app, shot):
    gardanne = zone_map(app).locator("[data-name=Gardanne]")
    expect(gardanne).to_have_attribute("data-value", "n/a")
    app.get_by_role("button", name="Step").click()
    expect(date(app)).to_have_text("2026-01", timeout=STEP_MS)
    expect(zone_map(app)).to_have_attribute("data-month", "1")
    expect(gardanne).to_have_attribute("data-value", re.compile(r"^\d+\.\d %$"))
    expect(app.locator("[data-testid=metro-charts] .amp-chart").first).to_have_attribute("data-points", "1")
    first_values = zone_map(app).locator(".amp-zone").evaluate_all("zones => zones.map(z => z.dataset.value)")
    first_field = app.locator("[data-testid=air-map] image").get_attribute("href")

    gardanne.locator("path").hover()
    expect(app.locator("[data-testid=zone-map] .amp-tip")).to_contain_text("Gardanne")
    expect(app.locator("[data-testid=zone-map] .amp-tip")).to_contain_text("Unemployment rate 15-64")
    gardanne.locator("path").click()
    expect(app.get_by_test_id("zone-details")).to_contain_text("13041")
    shot(app, "02-stepped-zone")

    app.get_by_role("button", name="Play").click()
    expect(zone_map(app)).to_have_attribute("data-month", re.compile(r"^([4-9]|\d\d+)$"), timeout=STEP_MS)
    app.get_by_role("button", name="Pause").click()
    expect(app.get_by_role("button", name="Play")).to_be_enabled()
    expect(date(app)).not_to_have_text(re.compile("initialising|2026-0[1-3]"))
    later_values = zone_map(app).locator(".amp-zone").evaluate_all("zones => zones.map(z => z.dataset.value)")
    assert later_values != first_values
    assert app.locator("[data-testid=air-map] image").get_attribute("href") != first_field
    shot(app, "03-played", full_page=True)


def test_picking_a_scenario_changes_the_model(app, shot):
    pick_scenario(app, "diams")
    expect(info(app)).to_contain_text("Scenario diams", timeout=BUILD_MS)
    expect(info(app)).to_contain_text("programmes: DIAMS")
    expect(app.locator(".amp-programme-0")).to_contain_text("DIAMS (sensor_rollout): 100%")
    expect(app.locator("[data-testid=air-map] .amp-sensor[data-kind=low_cost]")).to_have_count(0)
    app.get_by_role("button", name="Step").click()
    expect(date(app)).to_have_text("2026-01", timeout=STEP_MS)
    low_cost = app.locator("[data-testid=air-map] .amp-sensor[data-kind=low_cost]")
    expect(low_cost.first).to_be_attached()  # the scenario's sensors are deployed in its first month
    assert low_cost.count() >= 15
    shot(app, "04-scenario-diams")


def test_a_slider_change_takes_effect(app, shot):
    app.get_by_role("button", name="Step").click()
    expect(date(app)).to_have_text("2026-01", timeout=STEP_MS)
    thumb = app.locator(".amp-lever-labour-matching-elasticity [role=slider]")
    expect(thumb).to_have_attribute("aria-valuenow", "0.6")
    thumb.focus()
    for _ in range(5):
        thumb.press("ArrowLeft")
    expect(thumb).to_have_attribute("aria-valuenow", "0.55")
    expect(info(app)).to_contain_text("matching elasticity 0.55", timeout=BUILD_MS)
    expect(date(app)).to_have_text("initialising")  # the model was rebuilt with the new value
    app.get_by_role("button", name="Step").click()
    expect(date(app)).to_have_text("2026-01", timeout=STEP_MS)
    expect(info(app)).to_contain_text("matching elasticity 0.55")
    shot(app, "05-slider")


def test_reset_returns_to_the_start(app, shot):
    for month in ("2026-01", "2026-02"):
        app.get_by_role("button", name="Step").click()
        expect(date(app)).to_have_text(month, timeout=STEP_MS)
    app.get_by_role("button", name="Reset").click()
    expect(info(app)).to_contain_text("month 0 of 180", timeout=BUILD_MS)
    expect(date(app)).to_have_text("initialising")
    expect(zone_map(app)).to_have_attribute("data-month", "0")
    expect(app.locator("svg.amp-chart").first).to_have_attribute("data-points", "0")
    app.get_by_role("button", name="Step").click()
    expect(date(app)).to_have_text("2026-01", timeout=STEP_MS)
    shot(app, "06-reset-then-step")


def test_malformed_or_out_of_range_input_cannot_crash_the_app(app, shot):
    problem = app.locator(".amp-input-problem")
    for field, text, message in (
        ("amp-scale", "abc", "scale: expected a number in (0, 0.1], got 'abc'"),
        ("amp-scale", "5", "got '5'"),
        ("amp-scale", "-0.01", "got '-0.01'"),
        ("amp-scale", "0.003", "at least 0.00397"),
        ("amp-seed", "1e3", "seed: expected a whole number"),
        ("amp-seed", "-7", "got '-7'"),
    ):
        type_into(app, field, text)
        expect(problem).to_contain_text(message)
    shot(app, "07-bad-input")
    # a slider pushed past its end stays at its end
    thumb = app.locator(".amp-lever-startups-founding-rate [role=slider]")
    thumb.focus()
    thumb.press("End")
    thumb.press("ArrowRight")
    expect(info(app)).to_contain_text("startup foundings 40", timeout=BUILD_MS)
    app.get_by_role("button", name="Step").click()
    expect(date(app)).to_have_text("2026-01", timeout=STEP_MS)
    expect(info(app)).to_contain_text("scale 0.05 (")
    expect(info(app)).to_contain_text("seed 2026")
    type_into(app, "amp-scale", "0.02")
    expect(problem).to_have_count(0)
    expect(info(app)).to_contain_text("scale 0.02", timeout=BUILD_MS)


def test_two_browser_contexts_do_not_share_state(browser, ready, shot):
    one_context, one = open_app(browser, ready)
    two_context, two = open_app(browser, ready)
    try:
        for month in ("2026-01", "2026-02"):
            one.get_by_role("button", name="Step").click()
            expect(date(one)).to_have_text(month, timeout=STEP_MS)
        expect(date(two)).to_have_text("initialising")
        pick_scenario(two, "youth_training")
        expect(info(two)).to_contain_text("Scenario youth_training", timeout=BUILD_MS)
        expect(info(one)).to_contain_text("Scenario baseline")
        expect(date(one)).to_have_text("2026-02")
        two.get_by_role("button", name="Step").click()
        expect(date(two)).to_have_text("2026-01", timeout=STEP_MS)
        expect(date(one)).to_have_text("2026-02")
        shot(one, "08-context-one")
        shot(two, "08-context-two")
    finally:
        one_context.close()
        two_context.close()
