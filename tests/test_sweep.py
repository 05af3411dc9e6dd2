"""Sweeps: identical results whatever the executor, resume after a kill, failures recorded."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ampsim.cli.main import main
from ampsim.core.errors import InputError
from ampsim.studies.analysis import analyze
from ampsim.studies.experiment import load_experiment
from ampsim.studies.sweep import load_failures, load_results, run_sweep

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EXPERIMENT = f"""
name: tiny
scenario: {SCENARIOS / "baseline.yaml"}
factors:
  - path: parameters.labour.matching_elasticity
    name: alpha
    levels: [0.5, 0.65, 0.7]
design: {{method: grid}}
replicates: 2
outputs: {{months: all, indicators: [unemployment_rate, startups_alive, no2_popweighted]}}
scale: 0.01
months: 3
seed: 9
batch_size: 1
"""


def outcome_table(directory) -> pd.DataFrame:
    """The results without the timing column, sorted by key."""
    return load_results(directory).drop(columns="seconds")


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("experiment") / "tiny.yaml"
    path.write_text(EXPERIMENT)
    return path


@pytest.fixture(scope="module")
def serial(experiment_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "results"
    summary = run_sweep(load_experiment(experiment_file), out)
    assert summary.done == 6 and summary.failed == 0
    return out


def test_results_are_tidy_with_the_design_joined(serial):
    table = load_results(serial)
    assert len(table) == 6 * 3  # 6 runs x 3 months
    assert table.groupby(["point", "replicate"]).size().tolist() == [3] * 6
    assert set(table["alpha"]) == {0.5, 0.65, 0.7}
    manifest = json.loads((serial / "manifest.json").read_text())
    assert manifest["runs"] == 6 and manifest["root_seed"] == 9
    # replicates differ; the same replicate of two points shares its random streams
    first = table[(table["point"] == 0) & (table["month"] == 3)]
    assert first["startups_alive"].nunique() == 2 or first["unemployment_rate"].nunique() == 2


def test_two_processes_and_a_dask_cluster_give_identical_tables(serial, experiment_file, tmp_path):
    expected = outcome_table(serial)
    run_sweep(load_experiment(experiment_file), tmp_path / "processes", workers=2)
    pd.testing.assert_frame_equal(outcome_table(tmp_path / "processes"), expected)
    run_sweep(load_experiment(experiment_file), tmp_path / "dask", dask_workers=2)
    pd.testing.assert_frame_equal(outcome_table(tmp_path / "dask"), expected)


def test_a_sweep_killed_midway_resumes_to_the_same_results(serial, experiment_file, tmp_path):
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "ampsim", "sweep", str(experiment_file), "--out", str(out), "--quiet"]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(list((out / "parts").glob("part-*.parquet"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    parts_before = len(list((out / "parts").glob("part-*.parquet")))
    assert 2 <= parts_before < 6  # killed midway
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{parts_before} already done before" in resumed.stdout
    table = outcome_table(out)
    assert not table.duplicated(["point", "replicate", "month"]).any()  # none duplicated
    pd.testing.assert_frame_equal(table, outcome_table(serial))  # none lost


def test_a_killed_dask_worker_does_not_lose_runs(serial, experiment_file, tmp_path):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        killer = Client(cluster)
        killed = []

        def kill_a_worker(outcome):
            if not killed:
                victim = sorted(killer.scheduler_info()["workers"])[0]
                pid = killer.run(os.getpid, workers=[victim])[victim]
                os.kill(pid, signal.SIGKILL)  # the worker dies, maybe in the middle of a batch
                killed.append(victim)

        summary = run_sweep(
            load_experiment(experiment_file),
            tmp_path / "dask",
            scheduler=cluster.scheduler_address,
            on_batch=kill_a_worker,
        )
        killer.close()
    assert killed and summary.done == 6 and summary.failed == 0
    pd.testing.assert_frame_equal(outcome_table(tmp_path / "dask"), outcome_table(serial))


def test_workers_joining_a_running_dask_sweep_get_batches(tmp_path):
    """One worker at the start (two batches in flight), two more once the first batch is back."""
    from distributed import LocalCluster

    path = tmp_path / "longer.yaml"
    path.write_text(EXPERIMENT.replace("replicates: 2", "replicates: 12"))  # 36 runs, batches of 1
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        grown = []

        def grow(outcome):
            if not grown:
                cluster.scale(3)
                grown.append(outcome.batch)

        summary = run_sweep(
            load_experiment(path), tmp_path / "dask", scheduler=cluster.scheduler_address, on_batch=grow
        )
    assert grown and summary.done == 36 and summary.failed == 0
    assert summary.most_in_flight > 2


def test_a_failing_run_is_recorded_and_the_others_complete(experiment_file, tmp_path, monkeypatch):
    import ampsim.studies.sweep as sweep

    real = sweep.run_one

    def failing(task, point, replicate):
        if (point, replicate) == (1, 0):
            raise RuntimeError("injected failure")
        return real(task, point, replicate)

    monkeypatch.setattr(sweep, "run_one", failing)
    summary = run_sweep(load_experiment(experiment_file), tmp_path / "f")
    assert summary.done == 5 and summary.failed == 1
    failures = load_failures(tmp_path / "f")
    assert failures[["point", "replicate"]].values.tolist() == [[1, 0]]
    assert "injected failure" in failures["error"].iloc[0] and "Traceback" in failures["traceback"].iloc[0]
    assert len(load_results(tmp_path / "f").drop_duplicates(["point", "replicate"])) == 5
    stopped = run_sweep(load_experiment(experiment_file), tmp_path / "ff", fail_fast=True)
    assert stopped.stopped and stopped.failed == 1 and stopped.done < 5


def test_resume_refuses_a_changed_experiment_and_a_used_folder(serial, experiment_file, tmp_path):
    changed = tmp_path / "changed.yaml"
    changed.write_text(EXPERIMENT.replace("seed: 9", "seed: 10"))
    with pytest.raises(InputError, match="changed since"):
        run_sweep(load_experiment(changed), serial, resume=True)
    with pytest.raises(InputError, match="exists and is not empty"):
        run_sweep(load_experiment(experiment_file), serial)


@pytest.mark.parametrize(
    "change, expected",
    [
        (("replicates: 2", "replicats: 2"), "line 9: replicats: unknown key 'replicats'"),
        (("levels: [0.5, 0.65, 0.7]", "range: [0.5, 0.7]"), "a grid design needs `levels` for every factor"),
        (
            ("parameters.labour.matching_elasticity", "parameters.labour.matching_elastcity"),
            "matching_elastcity: unknown parameter",
        ),
        (("levels: [0.5, 0.65, 0.7]", "levels: [0.5, 0.65, 1.7]"), "matching_elasticity: expected a number"),
        (("startups_alive", "startups_alive_now"), "unknown indicator 'startups_alive_now'"),
        (("batch_size: 1", "batch_size: 0"), "batch_size"),
    ],
)
def test_bad_experiment_files_exit_2_naming_the_key(capsys, tmp_path, change, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(EXPERIMENT.replace(*change))
    with pytest.raises(SystemExit) as raised:
        sys.exit(main(["sweep", str(path), "--dry-run"]))
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and str(path) in err and "Traceback" not in err


def test_sobol_analysis_finds_the_influential_factor(tmp_path):
    """Analysis on a results folder with known outcomes: y = 4a + b, so a dominates."""
    path = tmp_path / "sobol.yaml"
    path.write_text(f"""
name: sobol
scenario: {SCENARIOS / "baseline.yaml"}
factors:
  - {{path: parameters.labour.matching_elasticity, name: alpha, range: [0.5, 0.7]}}
  - {{path: parameters.startups.founding_rate, name: rate, range: [8, 16]}}
design: {{method: sobol, samples: 64, seed: 3}}
outputs: {{months: all, indicators: [unemployment_rate, startups_alive, no2_popweighted]}}
""")
    loaded = load_experiment(path)
    out = tmp_path / "results"
    from ampsim.studies.sweep import Sweep

    Sweep(loaded, out).prepare(resume=False)
    design = loaded.design
    a = (design["alpha"] - 0.5) / 0.2
    b = (design["rate"] - 8) / 8
    rows = pd.DataFrame(
        {
            "point": design.index,
            "replicate": 0,
            "month": 3,
            "date": "2026-03",
            "statistic": "month",
            "unemployment_rate": 4 * a + b,
            "startups_alive": a + 4 * b,
            "no2_popweighted": a + b,
            "seconds": 0.0,
        }
    )
    rows.to_parquet(out / "parts" / "part-000000-test.parquet", index=False)
    analysis = analyze(out)
    sobol = pd.read_parquet(analysis / "sobol.parquet").set_index(["indicator", "factor"])
    assert sobol.loc[("unemployment_rate", "alpha"), "S1"] > 0.8
    assert sobol.loc[("startups_alive", "rate"), "ST"] > 0.8
    # additive outcomes: exact first-order indices 16/17 and 1/17, and 1/2 each for a + b
    assert np.isclose(sobol.loc[("unemployment_rate", "alpha"), "S1"], 16 / 17, atol=0.01)
    assert np.isclose(sobol.loc[("unemployment_rate", "rate"), "S1"], 1 / 17, atol=0.01)
    assert np.allclose(sobol.loc["no2_popweighted", "S1"], 0.5, atol=0.01)
    summary = (analysis / "summary.md").read_text()
    assert "Sobol indices" in summary and "alpha" in summary
    assert "outcome of a run: the mean of its last 12 months" in summary
    assert (analysis / "factors.png").exists() and (analysis / "sobol.png").exists()
