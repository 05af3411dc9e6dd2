"""Calibration: an Optuna study that fits a calibration file's parameters to its targets.

The study lives in SQLite, so that it outlives the process: running the same file again loads it
(`load_if_exists`) and runs only the trials still missing. A command holds an exclusive lock on
the study (`STUDY.lock`) while it runs, so a trial still RUNNING when it starts was left by a
killed process: it is failed and enqueued again with the same values (`recover`; one killed before
it drew any is just failed, and drawn again as a new trial with the same seed). While workers
run, Optuna's heartbeat does the same for a worker that dies (`RetryHeartbeatStaleTrialCallback`'s
job, done by `retry_trial` so that both paths record `retry_of`). Each worker process runs `search`
on the same study; a second lock (`STUDY.ask-lock`) makes counting the trials and creating the next
one atomic, so no more than the requested trials are started.

Each new trial gets a TPE sampler seeded by the file's `sampler_seed` and the number of trials
not failed before it: with one worker the sequence of trials depends on the file only, and a
resumed study continues the sequence it would have had without the kill. With several workers the
order in which trials finish, hence what each sampler sees, varies from run to run.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import math
import os
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import yaml
from optuna.trial import FrozenTrial, Trial, TrialState
from scipy.stats import qmc

from ampsim.core.errors import InputError
from ampsim.core.io import (
    RESULT_MARKER,
    atomic_path,
    check_output_folder,
    process_lock,
    read_marker,
    write_marker,
    write_text_atomic,
)
from ampsim.core.version import __version__
from ampsim.studies.calibration_bounds import is_programme_field, searched
from ampsim.studies.calibration_file import LoadedCalibration, TrialRuns
from ampsim.studies.workers import worker_pool

HEARTBEAT_S = 10  # a running trial records it is alive this often (seconds)
GRACE_S = 60  # and is failed as stale (and run again) this long after its last heartbeat
SQLITE_TIMEOUT_S = 60  # to wait for another worker's write to the study
POLL_S = 1.0  # the driver reads the study's progress this often while workers run
STUDY_FILE = "study.sqlite3"  # in the output folder, unless --study names another file
OUTPUTS = ("calibrated.yaml", "trials.csv", "fit.md")
STUDY_SUFFIXES = ("", "-journal", "-wal", "-shm", ".lock", ".ask-lock")  # SQLite's and the locks

Evaluate = Callable[[dict[str, float]], dict[str, float]]  # parameter values -> model value per target


@dataclass(frozen=True)
class SearchSpace:
    """What a worker needs to sample trials and score them: ranges, targets, the sampler."""

    parameters: tuple[tuple[str, float, float, bool, bool], ...]  # name, low, high, log, integer
    targets: tuple[tuple[str, float, float], ...]  # name, value, sd
    sampler_seed: int
    startup_trials: int

    def suggest(self, trial: Trial) -> dict[str, float]:
        """The trial's parameter values (fixed ones for an enqueued retry)."""
        values: dict[str, float] = {}
        for name, low, high, log, integer in self.parameters:
            if integer:
                values[name] = trial.suggest_int(name, math.ceil(low), math.floor(high), log=log)
            else:
                values[name] = trial.suggest_float(name, low, high, log=log)
        return values

    def loss(self, model: dict[str, float]) -> float:
        """The sum over targets of ((model - value) / sd)^2."""
        return float(sum(((model[name] - value) / sd) ** 2 for name, value, sd in self.targets))

    def sampler(self, before: int) -> optuna.samplers.BaseSampler:
        """The TPE sampler (multivariate, Optuna's default for one objective) of the trial that
        has `before` trials not failed before it."""
        seed = int(np.random.SeedSequence([self.sampler_seed, before]).generate_state(1)[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(
                seed=seed, n_startup_trials=self.startup_trials, constant_liar=True
            )

    def start_point(self, index: int) -> dict[str, float]:
        """Point `index` of the start design: a Latin hypercube of `startup_trials` points,
        seeded by `sampler_seed` (in the log of log-ranged parameters)."""
        unit = qmc.LatinHypercube(d=len(self.parameters), seed=self.sampler_seed).random(self.startup_trials)
        point: dict[str, float] = {}
        for (name, low, high, log, integer), u in zip(self.parameters, unit[index], strict=True):
            if log:
                value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
            else:
                value = low + u * (high - low)
            point[name] = min(max(round(value), math.ceil(low)), math.floor(high)) if integer else value
        return point


def search_space(loaded: LoadedCalibration) -> SearchSpace:
    """The search space of a calibration file."""
    spec = loaded.spec
    integer = {
        name: searched(name, loaded.base_scenario, loaded.path.name)[0] is int for name in spec.parameters
    }
    return SearchSpace(
        parameters=tuple((n, r.low, r.high, r.log, integer[n]) for n, r in spec.parameters.items()),
        targets=tuple((t.label, t.value, t.sd) for t in spec.targets),
        sampler_seed=spec.sampler_seed,
        startup_trials=spec.startup_trials,
    )


@dataclass(frozen=True)
class ModelEvaluation:
    """Parameter values -> the model's value of every target, from the trial's replicates (a
    picklable callable, sent to worker processes)."""

    loaded: LoadedCalibration

    def __call__(self, values: dict[str, float]) -> dict[str, float]:
        runs = TrialRuns(self.loaded.scenario(values), self.loaded.settings)
        return {target.label: target.measure(runs) for target in self.loaded.spec.targets}


# --- the study in SQLite ---------------------------------------------------------------------
def storage(path: Path) -> optuna.storages.RDBStorage:
    """The SQLite storage at `path`, with heartbeats (a dead worker's trial is run again)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RDBStorage(
            f"sqlite:///{path.resolve()}",
            engine_kwargs={"connect_args": {"timeout": SQLITE_TIMEOUT_S}},
            heartbeat_interval=HEARTBEAT_S,
            grace_period=GRACE_S,
            heartbeat_stale_trial_callback=retry_trial,
        )


def check_study_file(path: Path, name: str, fingerprint: str, option: str = "--study") -> int:
    """Before anything is written: InputError unless `path` is absent, an empty database or an
    Optuna database whose study `name` (if there) has the same fingerprint; the number of
    completed trials already there."""
    if not path.exists():
        return 0
    if not path.is_file():
        raise InputError(f"{option} {path}: exists and is not a file")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)) as db:
            tables = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
            if not tables:
                return 0
            if not {"studies", "trials", "study_user_attributes"} <= tables:
                raise InputError(f"{option} {path}: is an SQLite database but not an Optuna study's")
            rows = db.execute(
                "select a.value_json from studies s join study_user_attributes a using (study_id) "
                "where s.study_name = ? and a.key = 'fingerprint'",
                (name,),
            ).fetchall()
            done = db.execute(
                "select count(*) from trials t join studies s using (study_id) "
                "where s.study_name = ? and t.state = 'COMPLETE'",
                (name,),
            ).fetchone()[0]
    except sqlite3.Error as error:
        raise InputError(f"{option} {path}: not an Optuna study database ({error})") from None
    if rows and rows[0][0] != f'"{fingerprint}"':
        raise InputError(
            f"{option} {path}: the study {name!r} there was started from another definition (its "
            f"parameters, targets, settings, replicates or starting scenario changed: fingerprint "
            f"{rows[0][0].strip(chr(34))}, now {fingerprint}); use another --out or --study"
        )
    return int(done)


def open_study(path: Path, name: str, fingerprint: str, source: str = "") -> optuna.Study:
    """Create the study, or load it if it exists (checking its fingerprint)."""
    study = optuna.create_study(
        study_name=name, storage=storage(path), direction="minimize", load_if_exists=True
    )
    stored = study.user_attrs.get("fingerprint")
    if stored is None:
        study.set_user_attr("fingerprint", fingerprint)
        study.set_user_attr("source", source)
        study.set_user_attr("ampsim_version", __version__)
    elif stored != fingerprint:
        raise InputError(f"{path}: the study {name!r} was started from another definition; use another one")
    return study


def trial_values(trial: FrozenTrial) -> dict[str, Any]:
    """The values a trial runs: those it drew, and those it was enqueued with (all it has if it
    was stopped between being started and drawing them)."""
    return {**trial.system_attrs.get("fixed_params", {}), **trial.params}


def retry_trial(study: optuna.Study, trial: FrozenTrial) -> bool:
    """Enqueue a failed trial's values again, recording which trial it retries; not a trial that
    had none: its retry would draw them with the seed of another worker's new trial, hence the
    same values (and `_one_trial` draws them again anyway). Whether it enqueued one."""
    values = trial_values(trial)
    if values:
        study.enqueue_trial(values, user_attrs={"retry_of": trial.number})
    return bool(values)


def recover(study: optuna.Study) -> int:
    """Fail the trials left RUNNING by a killed process and enqueue again those (and trials
    interrupted by Ctrl+C) not yet retried; call it holding the study's lock. Returns how many."""
    trials = study.get_trials(deepcopy=False)
    retried = {t.user_attrs.get("retry_of") for t in trials}
    count = 0
    for trial in trials:
        if trial.state == TrialState.RUNNING:
            study.tell(trial.number, state=TrialState.FAIL)
        elif trial.state != TrialState.FAIL:
            continue
        if "error" not in trial.user_attrs and trial.number not in retried and retry_trial(study, trial):
            count += 1
    return count


@contextlib.contextmanager
def study_lock(path: Path) -> Iterator[None]:
    """Hold the study's command lock; InputError at once if another command holds it."""
    with process_lock(
        path.with_name(path.name + ".lock"),
        f"--study {path}",
        "another ampsim calibrate is running this study (process {holder}); wait for it to end, or stop it",
    ):
        yield


# --- the search ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchJob:
    """One worker's part: the study, the space, the evaluation and the trials wanted in all."""

    path: Path
    name: str
    space: SearchSpace
    evaluate: Evaluate
    trials: int


def search(job: SearchJob, on_trial: Callable[[], None] | None = None) -> int:
    """Run trials on the study until it has `job.trials` completed ones (counting those still
    running in other workers); returns how many this worker ran."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=job.name, storage=storage(job.path))
    ran = 0
    with open(job.path.with_name(job.path.name + ".ask-lock"), "a") as ask_lock:
        while _one_trial(study, job, ask_lock.fileno()):
            ran += 1
            if on_trial is not None:
                on_trial()
    return ran


def _one_trial(study: optuna.Study, job: SearchJob, lock: int) -> bool:
    """Start and run one trial, unless the study has (or is running) enough; False then."""
    fcntl.flock(lock, fcntl.LOCK_EX)
    held = [True]

    def release() -> None:
        if held[0]:
            fcntl.flock(lock, fcntl.LOCK_UN)
            held[0] = False

    try:
        states = [t.state for t in study.get_trials(deepcopy=False)]
        if states.count(TrialState.COMPLETE) + states.count(TrialState.RUNNING) >= job.trials:
            return False
        before = len(states) - states.count(TrialState.FAIL)
        if before < job.space.startup_trials and TrialState.WAITING not in states:
            study.enqueue_trial(job.space.start_point(before))  # retries (waiting) go first
        study.sampler = job.space.sampler(before)
        study.optimize(lambda trial: _objective(trial, job, release), n_trials=1, catch=())
    finally:
        release()
    return True


def _objective(trial: Trial, job: SearchJob, release: Callable[[], None]) -> float:
    """A trial's loss; its model values and time are kept in its user attributes, and an error
    (such a trial is not run again) in `error`."""
    values = job.space.suggest(trial)
    release()  # the trial exists and its values are drawn: other workers may start theirs
    start = time.perf_counter()
    try:
        model = job.evaluate(values)
        bad = [name for name, value in model.items() if not math.isfinite(value)]
        if bad:
            raise InputError(
                f"target {bad[0]}: the model gives no number ({model[bad[0]]}) at trial {trial.number} "
                f"({values}); check its indicator and months"
            )
    except Exception as error:
        trial.set_user_attr("error", f"{type(error).__name__}: {error}"[:1000])
        raise
    trial.set_user_attr("model", model)
    trial.set_user_attr("seconds", time.perf_counter() - start)
    return job.space.loss(model)


def completed(study: optuna.Study) -> list[FrozenTrial]:
    """The study's completed trials, in order."""
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


# --- the result ------------------------------------------------------------------------------
@dataclass
class CalibrationResult:
    """The trials of a study and its best trial, with the fit target by target."""

    trials: pd.DataFrame  # one row per trial: number, state, retry_of, parameters, targets, loss
    best: dict[str, Any]  # number, loss, params, model
    fit: pd.DataFrame  # target, window, value, model, sd, z
    completed: int


def calibration_result(study: optuna.Study, loaded: LoadedCalibration) -> CalibrationResult:
    """The table of trials, the best one and its fit (InputError if no trial completed)."""
    done = completed(study)
    if not done:
        raise InputError(f"{loaded.path}: the study {loaded.spec.name!r} has no completed trial")
    best = min(done, key=lambda t: (t.value, t.number))
    return CalibrationResult(
        trials=trials_table(study, loaded),
        best={
            "number": best.number,
            "loss": best.value,
            "params": best.params,
            "model": best.user_attrs["model"],
        },
        fit=fit_table(loaded, best.user_attrs["model"]),
        completed=len(done),
    )


def trials_table(study: optuna.Study, loaded: LoadedCalibration) -> pd.DataFrame:
    """One row per trial: number, state, the trial it retries, parameters, targets, loss, seconds."""
    names = list(loaded.spec.parameters)
    labels = [t.label for t in loaded.spec.targets]
    rows = []
    for trial in study.get_trials(deepcopy=False):
        model = trial.user_attrs.get("model", {})
        row: dict[str, Any] = {
            "trial": trial.number,
            "state": trial.state.name,
            "retry_of": trial.user_attrs.get("retry_of"),
        }
        row.update({name: trial.params.get(name) for name in names})
        row.update({label: model.get(label) for label in labels})
        row["loss"] = trial.value
        row["seconds"] = trial.user_attrs.get("seconds")
        rows.append(row)
    return pd.DataFrame(rows, columns=["trial", "state", "retry_of", *names, *labels, "loss", "seconds"])


def fit_table(loaded: LoadedCalibration, model: dict[str, float]) -> pd.DataFrame:
    """Target by target: the target value, the model's at the best trial, the sd and z."""
    months = loaded.settings.run.months
    rows = []
    for target in loaded.spec.targets:
        value = model[target.label]
        window = target.window_text(months)
        rows.append(
            {
                "target": target.label,
                "kind": target.kind,
                "window": window,
                "value": target.value,
                "model": value,
                "sd": target.sd,
                "z": (value - target.value) / target.sd,
            }
        )
    return pd.DataFrame(rows)


# --- the driver ------------------------------------------------------------------------------
Progress = Callable[[int, "float | None"], None]  # (completed trials, best loss so far)


def calibrate(
    loaded: LoadedCalibration, study_path: Path, workers: int = 1, progress: Progress | None = None
) -> CalibrationResult:
    """Create or continue the file's study at `study_path` until it has the file's number of
    completed trials, on `workers` processes; the result. Holds the study's lock meanwhile."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the progress bar and the tables say it all
    with study_lock(study_path):
        study = open_study(study_path, loaded.spec.name, loaded.fingerprint(), str(loaded.path))
        recover(study)
        job = SearchJob(
            study_path, loaded.spec.name, search_space(loaded), ModelEvaluation(loaded), loaded.spec.trials
        )

        def report() -> None:
            if progress is not None:
                done = completed(study)
                progress(len(done), min((t.value for t in done), default=None))

        report()
        if workers <= 1:
            search(job, on_trial=report)
        else:
            _search_in_workers(job, workers, report)
        report()
        return calibration_result(study, loaded)


def _search_in_workers(job: SearchJob, workers: int, report: Callable[[], None]) -> None:
    """`search` in `workers` processes on the same study, the progress read from the study."""
    with worker_pool(workers) as pool:  # workers die with this process, even on SIGKILL
        pending = {pool.submit(search, job) for _ in range(workers)}
        while pending:
            done, pending = wait(pending, timeout=POLL_S, return_when=FIRST_EXCEPTION)
            report()
            for future in done:
                future.result()  # a worker's error stops the calibration (the pool is stopped)


# --- the output folder -----------------------------------------------------------------------
def prepare_folder(out: Path, study_path: Path, loaded: LoadedCalibration) -> int:
    """Check the output folder (new, empty, or an earlier calibration's) and the study file, then
    create and mark the folder; the number of trials the study has completed already."""
    if (read_marker(out) or {}).get("command") == "calibrate":
        for name in OUTPUTS:  # temporary files of a kill during the final writes
            for leftover in out.glob(f".{name}.*.part"):
                leftover.unlink()
    out = check_output_folder(out, "calibrate")
    done = check_study_file(study_path, loaded.spec.name, loaded.fingerprint())
    out.mkdir(parents=True, exist_ok=True)
    study_path.parent.mkdir(parents=True, exist_ok=True)
    files = list(OUTPUTS) + [STUDY_FILE + suffix for suffix in STUDY_SUFFIXES]
    if study_path.resolve().parent == out.resolve():
        files += [study_path.name + suffix for suffix in STUDY_SUFFIXES]
    write_marker(out, "calibrate", sorted(set(files) - {RESULT_MARKER}))
    return done


def write_outputs(result: CalibrationResult, loaded: LoadedCalibration, out: Path) -> None:
    """calibrated.yaml, trials.csv and fit.md, each written whole or not at all."""
    today = datetime.date.today().isoformat()
    write_text_atomic(out / "calibrated.yaml", calibrated_yaml(result, loaded, out, today))
    with atomic_path(out / "trials.csv") as temporary:
        result.trials.to_csv(temporary, index=False)
    write_text_atomic(out / "fit.md", fit_markdown(result, loaded))


def calibrated_yaml(result: CalibrationResult, loaded: LoadedCalibration, out: Path, today: str) -> str:
    """The starting scenario with the best trial's parameters: a scenario file that `extends` it
    by a path relative to `out`, with a header saying how it was calibrated."""
    base = loaded.base_scenario
    best = result.best
    body = {
        "name": f"{base.name[:69]}_calibrated",
        "description": f"{base.name} with {', '.join(best['params'])} calibrated by {loaded.path.name} "
        f"(loss {best['loss']:.4g}).",
        "extends": os.path.relpath(loaded.scenario_path.resolve(), out.resolve()),
        "parameters": {k: v for k, v in best["params"].items() if not is_programme_field(k)},
    }
    programmes = loaded.calibrated_programmes(best["params"])
    if programmes is not None:  # a scenario's list of programmes is replaced whole by one that extends it
        body["interventions"] = programmes
    if not body["parameters"]:
        del body["parameters"]
    zs = ", ".join(f"{row.target} z {row.z:+.2f}" for row in result.fit.itertuples())
    header = [
        f"# {base.name} calibrated by `ampsim calibrate {loaded.path}` on {today}.",
        f"# Best of {result.completed} completed trials (trial {best['number']}): loss {best['loss']:.4g}, "
        f"the sum over {len(result.fit)} targets of z^2 ({zs});",
        f"# {settings_text(loaded)}. See fit.md and trials.csv beside this file.",
    ]
    return "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def settings_text(loaded: LoadedCalibration) -> str:
    """'2 replicates per trial at scale 0.01, 24 months after a spin-up of 24, seed 0'."""
    run = loaded.settings.run
    return (
        f"{loaded.settings.replicates} replicate(s) per trial at scale {run.scale:g}, {run.months} months "
        f"from {run.start} after a spin-up of {run.spin_up_months}, seed {run.seed}"
    )


def fit_text(result: CalibrationResult) -> str:
    """The fit target by target, as a plain table."""
    formats = {
        "value": "{:.4g}".format,
        "model": "{:.4g}".format,
        "sd": "{:.3g}".format,
        "z": "{:+.2f}".format,
    }
    return result.fit.to_string(index=False, formatters=formats)


def fit_markdown(result: CalibrationResult, loaded: LoadedCalibration) -> str:
    """fit.md: the best trial, the fit target by target and the parameters found."""
    best = result.best
    lines = [
        f"# Calibration {loaded.spec.name}",
        "",
        *([loaded.spec.description, ""] if loaded.spec.description else []),
        f"Best of {result.completed} completed trials: trial {best['number']}, loss {best['loss']:.4g} "
        f"(the sum over targets of ((model - value) / sd)^2); {settings_text(loaded)}.",
        "",
        "| target | kind | window | target value | model | sd | z |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for row in result.fit.itertuples():
        lines.append(
            f"| {row.target} | {row.kind} | {row.window} | {row.value:.4g} | {row.model:.4g} | {row.sd:.3g} "
            f"| {row.z:+.2f} |"
        )
    lines += ["", "| parameter | low | high | log | best |", "|---|---:|---:|---|---:|"]
    for name, bounds in loaded.spec.parameters.items():
        lines.append(
            f"| {name} | {bounds.low:g} | {bounds.high:g} | {str(bounds.log).lower()} "
            f"| {best['params'][name]:.6g} |"
        )
    return "\n".join(lines) + "\n"
