"""The browser app's time per step with its redraw, measured in Debian's Chromium.

    python -m benchmarks.app_benchmark [--steps 30] [--scale 0.01]

Serves the app on a free local port, opens it in headless Chromium (Playwright), then presses
Step `--steps` times: each time from the click until the map shows the new month (model step,
frame sent to the browser, map and charts redrawn). Prints the median and the range, and the
model's own share (the app's "last month computed in" figure). Needs /usr/bin/chromium and
Playwright for Python, as the browser tests do.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_served(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the app server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise SystemExit(f"the app server did not answer at {url} within {seconds:.0f} s")


def measure(url: str, steps: int) -> tuple[list[float], list[float]]:
    """Seconds from each Step click to the new month on the map; the model's own seconds."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(url)
        info = page.get_by_test_id("model-info")
        expect(info).to_be_visible(timeout=300_000)  # the first model may compile the kernels
        zone_map = page.locator("[data-testid=zone-map]")
        step = page.get_by_role("button", name="Step")
        with_redraw, model_only = [], []
        for month in range(1, steps + 1):
            started = time.perf_counter()
            step.click()
            expect(zone_map).to_have_attribute("data-month", str(month), timeout=60_000)
            with_redraw.append(time.perf_counter() - started)
            computed = re.search(r"last month computed in (\d+) ms", info.inner_text())
            if computed:
                model_only.append(int(computed.group(1)) / 1000)
        browser.close()
    return with_redraw, model_only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-c", f"from ampsim.app import serve; serve(port={port})"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_served(url, server)
        with_redraw, model_only = measure(url, args.steps)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ms = [1000 * s for s in with_redraw]
    print(f"app at its default scale, {args.steps} steps in headless Chromium:")
    print(
        f"  step with redraw (click -> new month on the map): median {statistics.median(ms):.0f} ms, "
        f"range {min(ms):.0f}-{max(ms):.0f} ms"
    )
    if model_only:
        print(f"  of which the model's month: median {1000 * statistics.median(model_only):.0f} ms")


if __name__ == "__main__":
    main()
