"""The public Python interface: `import ampsim` is cheap, its functions work, and every cell of
docs/API.md runs and prints what the page shows."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

import ampsim

ROOT = Path(__file__).resolve().parents[1]
API_PAGE = ROOT / "docs" / "API.md"
sys.path.insert(0, str(ROOT / "tools"))

import api_page  # noqa: E402  (tools/api_page.py)


def test_import_ampsim_loads_no_model_code():
    code = "import sys, ampsim; print(ampsim.__version__); print('ampsim.model' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == [ampsim.__version__, "False"]


def test_public_names():
    assert {"AMPModel", "load_scenario", "run", "compare", "sweep"} <= set(ampsim.__all__)
    assert ampsim.run.__module__ == "ampsim.api"


def test_run_and_compare_give_pandas_tables():
    run = ampsim.run(scale=0.01, months=2, spin_up_months=3)
    assert isinstance(run.metro, pd.DataFrame) and len(run.metro) == 2
    assert run.metadata["scenario"]["name"] == "baseline"
    assert run.metadata["scenario"]["horizon"]["months"] == 2  # the settings the run used
    same = ampsim.run(ampsim.api.baseline_scenario(), scale=0.01, months=2, spin_up_months=3)
    pd.testing.assert_frame_equal(run.metro, same.metro)


def test_sweep_returns_its_table(tmp_path):
    experiment = tmp_path / "tiny.yaml"
    experiment.write_text(
        f"name: tiny\nscenario: {ROOT / 'scenarios' / 'baseline.yaml'}\nscale: 0.01\nmonths: 2\n"
        "replicates: 1\nfactors:\n  - path: parameters.labour.matching_elasticity\n"
        "    name: alpha\n    levels: [0.5, 0.6]\ndesign: {method: grid}\n"
        "outputs: {months: final_year, indicators: [unemployment_rate]}\n"
    )
    table = ampsim.sweep(experiment, tmp_path / "out")
    assert sorted(table["point"]) == [0, 1]
    assert table["unemployment_rate"].notna().all()


def test_every_cell_of_the_api_page_runs_and_prints_what_the_page_shows():
    text = API_PAGE.read_text(encoding="utf-8")
    assert len(api_page.CELL.findall(text)) >= 6
    assert api_page.rendered(text) == text, "run: python tools/api_page.py"
