"""Outputs that cannot destroy, and interruptions that leave nothing behind: `--out` on the user's
folders, signals during a run, workers of a killed driver, damaged and concurrent sweeps, and
provenance that reproduces a run.

Each case runs the real command line in a child process (at most 3 GB of address space); runs
are tiny (scale 0.01, one or two months, no spin-up). `pytest -s` prints the time of each case.
"""

from __future__ import annotations

import shutil
import signal
import socket
import time
import warnings
from pathlib import Path

import pandas as pd
import psutil
import pytest
from hostile import SCENARIOS, TIMES, TINY_RUN, ampsim, print_summary, record, refused, start_ampsim

from ampsim.core.errors import DamagedFileWarning
from ampsim.studies.runner import TABLES
from ampsim.studies.sweep import load_results

BASELINE = SCENARIOS / "baseline.yaml"


@pytest.fixture(scope="module", autouse=True)
def summary():
    before = set(TIMES)
    yield
    print_summary("hostile outputs", {k: v for k, v in TIMES.items() if k not in before})


def users_folder(parent: Path) -> dict[Path, bytes]:
    """A folder of the user's files: notes.txt and precious/thesis.tex; returns their bytes."""
    folder = parent / "mine"
    (folder / "precious").mkdir(parents=True)
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "precious" / "thesis.tex").write_text("\\documentclass{book}\n")
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def untouched(files: dict[Path, bytes]) -> bool:
    """Whether every file is still there with the same bytes, and nothing was added beside them."""
    folder = min(files, key=lambda path: len(path.parts)).parent
    now = {path for path in folder.rglob("*") if path.is_file()}
    return now == set(files) and all(path.read_bytes() == data for path, data in files.items())


# --- --out never deletes the user's files -----------------------------------------------------------
def test_run_refuses_an_out_folder_of_the_users_files(tmp_path):
    files = users_folder(tmp_path)
    outcome = ampsim("run", str(BASELINE), *TINY_RUN, "--out", str(tmp_path / "mine"))
    refused(outcome, "run --out DIR with the user's files", "run", "--out", "notes.txt", "never deletes")
    assert untouched(files) and sorted(p.name for p in (tmp_path / "mine").iterdir()) == [
        "notes.txt",
        "precious",
    ]
    assert "building the model" not in outcome.err  # refused before the simulation


def test_run_refuses_out_dot(tmp_path):
    files = users_folder(tmp_path)
    outcome = ampsim("run", str(BASELINE), *TINY_RUN, "--out", ".", cwd=tmp_path / "mine")
    refused(outcome, "run --out .", "run", "--out .:", "not a result of ampsim run")
    assert untouched(files)


def test_compare_refuses_an_out_folder_of_the_users_files(tmp_path):
    files = users_folder(tmp_path)
    other = SCENARIOS / "seed_fund.yaml"
    outcome = ampsim("compare", str(BASELINE), str(other), *TINY_RUN, "--out", str(tmp_path / "mine"))
    refused(outcome, "compare --out DIR with the user's files", "compare", "--out", "never deletes")
    assert untouched(files) and "runs" not in outcome.err


def test_sweep_refuses_an_out_folder_of_the_users_files(tmp_path):
    files = users_folder(tmp_path)
    outcome = ampsim("sweep", str(tiny_experiment(tmp_path)), "--quiet", "--out", str(tmp_path / "mine"))
    refused(outcome, "sweep --out DIR with the user's files", "sweep", "--out", "not a sweep's folder")
    assert untouched(files)


@pytest.mark.parametrize("where", ["/proc/foo", "file/below"], ids=["under /proc", "under a file"])
def test_an_out_that_cannot_be_written_is_refused_before_the_run(tmp_path, where):
    (tmp_path / "file").write_text("a file, not a folder\n")
    out = where if where.startswith("/") else str(tmp_path / where)
    outcome = ampsim("run", str(BASELINE), *TINY_RUN, "--out", out)
    refused(outcome, f"run --out {where}", "run", f"--out {out}:")
    assert "building the model" not in outcome.err


def test_a_previous_result_is_replaced_but_not_when_it_holds_the_users_files(tmp_path):
    out = tmp_path / "run"
    first = ampsim("run", str(BASELINE), *TINY_RUN, "--no-charts", "--out", str(out))
    second = ampsim("run", str(BASELINE), *TINY_RUN, "--no-charts", "--out", str(out))
    record("run twice into the same --out", first.seconds + second.seconds)
    assert first.code == 0 and second.code == 0, second.err[-1000:]
    assert (out / "metro.parquet").exists() and (out / ".ampsim-result").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging, no old copy
    (out / "notes.txt").write_text("mine\n")
    third = ampsim("run", str(BASELINE), *TINY_RUN, "--no-charts", "--out", str(out))
    refused(
        third, "run --out a previous result holding notes.txt", "run", "files it did not write (notes.txt)"
    )
    assert (out / "notes.txt").read_text() == "mine\n"


# --- interruptions -------------------------------------------------------------------------------
def interrupt_while_writing(tmp_path: Path, number: int) -> tuple[int, str, float]:
    """Start a run, send signal `number` as soon as its staging folder appears; (exit code,
    stderr, seconds)."""
    out = tmp_path / "run"
    start = time.perf_counter()
    process = start_ampsim("run", str(BASELINE), *TINY_RUN, "--out", str(out))
    while process.poll() is None and time.perf_counter() - start < 60:
        staging = [p for p in tmp_path.iterdir() if p.name.startswith(".run.") and p.is_dir()]
        if staging:
            break
        time.sleep(0.002)
    process.send_signal(number)
    _, err = process.communicate(timeout=30)
    return process.returncode, err, time.perf_counter() - start


@pytest.mark.parametrize(
    "number, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_a_signal_while_a_run_is_written_leaves_nothing(tmp_path, number, code):
    returned, err, seconds = interrupt_while_writing(tmp_path, number)
    record(f"{signal.Signals(number).name} during run", seconds)
    assert returned == code, err[-1000:]
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("ampsim run: ")
    assert list(tmp_path.iterdir()) == []  # neither the staging folder nor a half-written result


def test_editing_and_deleting_the_scenario_during_the_run_changes_nothing(tmp_path):
    parent = tmp_path / "baseline.yaml"
    shutil.copy(BASELINE, parent)
    child = tmp_path / "child.yaml"
    child.write_text("name: child\nextends: baseline.yaml\nseed: 4\n")
    originals = {"baseline.yaml": parent.read_bytes(), "child.yaml": child.read_bytes()}
    out = tmp_path / "run"
    start = time.perf_counter()
    process = start_ampsim(
        "run", str(child), "--scale", "0.01", "--months", "2", "--quiet", "--out", str(out)
    )
    assert "building the model" in process.stderr.readline()  # the scenario is loaded
    child.write_text("name: edited\nseed: 99\n")
    parent.unlink()
    _, err = process.communicate(timeout=60)
    record("scenario edited and deleted during run", time.perf_counter() - start)
    assert process.returncode == 0, err[-1000:]
    assert {p.name: p.read_bytes() for p in (out / "sources").iterdir()} == originals
    resolved = (out / "scenario.resolved.yaml").read_text()
    assert "name: child" in resolved and "seed: 4" in resolved and "edited" not in resolved


def test_the_resolved_scenario_reproduces_the_run(tmp_path):
    scenario = SCENARIOS / "seed_fund.yaml"
    options = ["--scale", "0.01", "--months", "2", "--seed", "5", "--set", "spin_up_months=0", "--no-charts"]
    first = ampsim("run", str(scenario), *options, "--quiet", "--out", str(tmp_path / "first"))
    assert first.code == 0, first.err[-1000:]
    resolved = tmp_path / "first" / "scenario.resolved.yaml"
    text = resolved.read_text()
    assert "scale: 0.01" in text and "months: 2" in text and "seed: 5" in text and "spin_up_months: 0" in text
    again = ampsim("run", str(resolved), "--quiet", "--no-charts", "--out", str(tmp_path / "again"))
    record("re-run of scenario.resolved.yaml", first.seconds + again.seconds)
    assert again.code == 0, again.err[-1000:]
    for table in TABLES:
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "first" / f"{table}.parquet"),
            pd.read_parquet(tmp_path / "again" / f"{table}.parquet"),
        )


def test_compare_with_one_replicate_writes_its_report(tmp_path):
    out = tmp_path / "cmp"
    outcome = ampsim(
        "compare",
        str(BASELINE),
        str(SCENARIOS / "seed_fund.yaml"),
        "--replicates",
        "1",
        *TINY_RUN,
        "--no-participants",
        "--out",
        str(out),
    )
    record("compare --replicates 1", outcome.seconds)
    assert outcome.code == 0 and "Traceback" not in outcome.err, outcome.err[-2000:]
    costs = pd.read_parquet(out / "costs.parquet")
    assert costs["outcome_low"].isna().all() and (out / "report.html").exists()
    assert (out / "scenarios" / "seed_fund" / "scenario.resolved.yaml").exists()


# --- workers die with their driver -------------------------------------------------------------
def workers_of(process: psutil.Process, count: int, wait: float = 60) -> list[psutil.Process]:
    """The driver's spawned worker processes, once `count` of them have been up for a second."""
    start = time.monotonic()
    while time.monotonic() - start < wait:
        found = [c for c in process.children(recursive=True) if "spawn_main" in _command_line(c)]
        if len(found) >= count and all(_age(c) > 1.0 for c in found):
            return found
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} workers after {wait} s")


def _command_line(process: psutil.Process) -> str:
    """A child's command line, empty for one that has just ended (a zombie or already reaped)."""
    try:
        return " ".join(process.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return ""


def _age(process: psutil.Process) -> float:
    """Seconds since a child started, 0 for one that has just been reaped."""
    try:
        return time.time() - process.create_time()
    except psutil.NoSuchProcess:
        return 0.0


def gone(processes: list[psutil.Process], within: float = 5.0) -> bool:
    """Whether every process has ended within `within` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        alive = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return True
        time.sleep(0.05)
    return False


def test_compare_workers_die_when_the_driver_is_killed(tmp_path):
    start = time.perf_counter()
    process = start_ampsim(
        "compare", str(BASELINE), str(SCENARIOS / "seed_fund.yaml"), "--scale", "0.01", "--months", "120",
        "--replicates", "2", "--workers", "2", "--quiet", "--no-participants", "--out", str(tmp_path / "cmp"),
    )  # fmt: skip
    workers = workers_of(psutil.Process(process.pid), 2)
    process.kill()  # SIGKILL: no cleanup in the driver at all
    process.communicate(timeout=30)
    assert gone(workers), [w.pid for w in workers]
    record("SIGKILL of compare --workers 2: workers gone", time.perf_counter() - start)


def tiny_experiment(directory: Path, months: int = 1, levels: int = 4) -> Path:
    """An experiment of 4 points x 2 replicates of tiny runs, in batches of one run."""
    (directory / "base.yaml").write_text(f"name: base\nextends: {BASELINE}\nspin_up_months: 0\n")
    values = ", ".join(str(10 + k) for k in range(levels))
    path = directory / "exp.yaml"
    path.write_text(
        "name: tiny\nscenario: base.yaml\n"
        f"factors:\n  - {{path: parameters.startups.founding_rate, name: rate, levels: [{values}]}}\n"
        f"design: {{method: grid}}\nreplicates: 2\nscale: 0.01\nmonths: {months}\nseed: 1\nbatch_size: 1\n"
    )
    return path


def test_sigterm_stops_a_sweep_and_its_workers(tmp_path):
    start = time.perf_counter()
    out = tmp_path / "out"
    process = start_ampsim(
        "sweep", str(tiny_experiment(tmp_path, months=120)), "--workers", "2", "--quiet", "--out", str(out)
    )
    workers = workers_of(psutil.Process(process.pid), 2)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143 and "Traceback" not in err, err[-2000:]
    assert err.strip().splitlines()[-1] == "ampsim sweep: terminated"
    assert gone(workers)
    assert not list(out.rglob("*.part"))  # no half-written part
    record("SIGTERM of sweep --workers 2: exit 143, workers gone", time.perf_counter() - start)


# --- sweep folders ------------------------------------------------------------------------------------
def test_a_damaged_part_is_reported_set_aside_and_run_again(tmp_path):
    out = tmp_path / "out"
    experiment = tiny_experiment(tmp_path)
    first = ampsim("sweep", str(experiment), "--quiet", "--out", str(out))
    assert first.code == 0, first.err[-2000:]
    parts = sorted((out / "parts").glob("part-*.parquet"))
    assert len(parts) == 8
    parts[0].write_bytes(parts[0].read_bytes()[:100])  # truncated
    parts[1].write_bytes(b"")  # empty
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(load_results(out)) == 6
    assert sum(issubclass(w.category, DamagedFileWarning) for w in caught) == 2
    analysis = ampsim("analyze", str(out))
    assert analysis.code == 0 and "Traceback" not in analysis.err, analysis.err[-2000:]
    assert (
        len([line for line in analysis.err.splitlines() if line.startswith("ampsim analyze: warning:")]) == 2
    )
    resumed = ampsim("sweep", str(experiment), "--quiet", "--resume", "--out", str(out))
    record(
        "damaged parts: load_results, analyze and --resume",
        first.seconds + analysis.seconds + resumed.seconds,
    )
    assert resumed.code == 0 and "Traceback" not in resumed.err, resumed.err[-2000:]
    assert "2 runs done, 0 failed, 6 already done before" in resumed.out
    assert sorted(p.name for p in (out / "damaged").iterdir()) == sorted(p.name for p in parts[:2])
    table = load_results(out)
    assert len(table) == 8 and not table.duplicated(["point", "replicate"]).any()


def test_two_resumes_of_one_folder_at_once_are_refused(tmp_path):
    out = tmp_path / "out"
    experiment = tiny_experiment(tmp_path, months=24)
    first = start_ampsim("sweep", str(experiment), "--quiet", "--out", str(out))
    start = time.perf_counter()
    while not (out / ".lock").exists() or not (out / ".lock").read_text().strip():
        assert first.poll() is None and time.perf_counter() - start < 60
        time.sleep(0.01)
    second = ampsim("sweep", str(experiment), "--quiet", "--resume", "--out", str(out))
    holder = (out / ".lock").read_text().strip()
    refused(second, "a second --resume on a running sweep's folder", "sweep", "another ampsim sweep", holder)
    first.communicate(timeout=120)
    assert first.returncode == 0
    table = load_results(out)
    assert len(table) == 8 and not table.duplicated(["point", "replicate"]).any()


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    outcome = ampsim(
        "sweep", str(tiny_experiment(tmp_path)), "--scheduler", address, "--out", str(tmp_path / "out")
    )
    refused(outcome, "unreachable Dask scheduler", "sweep", f"--scheduler {address}: cannot reach")
    assert not (tmp_path / "out").exists()


def test_analyze_refuses_a_folder_that_is_not_a_sweep(tmp_path):
    users_folder(tmp_path)
    outcome = ampsim("analyze", str(tmp_path / "mine"))
    refused(outcome, "analyze on a folder that is not a sweep", "analyze", "not a sweep results folder")
    assert not (tmp_path / "mine" / "analysis").exists()


def test_targets_refuses_a_run_folder_without_tables(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}\n")
    outcome = ampsim("targets", "--run", str(folder))
    refused(
        outcome, "targets --run on a folder without tables", "targets", f"--run {folder}:", "metro.parquet"
    )
