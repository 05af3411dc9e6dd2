"""`ampsim calibrate`: fit a calibration file's parameters to its targets with an Optuna study
stored in SQLite (resumable, several worker processes), and write the calibrated scenario."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ampsim.cli.options import add_command, workers_argument


def add_calibration_commands(commands) -> None:
    """Add `calibrate` to the subcommands of a parser."""
    calibrate = add_command(
        commands,
        "calibrate",
        cmd_calibrate,
        "fit model parameters to targets (Optuna TPE over paired replicates, a resumable SQLite "
        "study) and write the calibrated scenario",
    )
    calibrate.add_argument("file", metavar="FILE", help="calibration file (YAML)")
    calibrate.add_argument("--out", metavar="DIR", help="output folder (default results/calibrate-<name>)")
    calibrate.add_argument(
        "--study",
        metavar="PATH",
        help="the study's SQLite file (default: study.sqlite3 in the output folder)",
    )
    calibrate.add_argument(
        "--workers",
        type=workers_argument,
        default=1,
        help="worker processes optimising the same study, at most one per CPU (default 1)",
    )
    calibrate.add_argument("--dry-run", action="store_true", help="check the file and show what would run")
    calibrate.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_calibrate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ampsim.studies.calibration import (
        STUDY_FILE,
        calibrate,
        fit_text,
        prepare_folder,
        settings_text,
        write_outputs,
    )
    from ampsim.studies.calibration_file import load_calibration

    loaded = load_calibration(args.file)
    spec = loaded.spec
    out = Path(args.out) if args.out else Path("results") / f"calibrate-{spec.name}"
    study_path = Path(args.study) if args.study else out / STUDY_FILE
    plan = (
        f"{spec.name}: {len(spec.parameters)} parameter(s), {len(spec.targets)} target(s), {spec.trials} "
        f"trials, {settings_text(loaded)}"
    )
    if args.dry_run:
        print(plan)
        return 0
    done = prepare_folder(out, study_path, loaded)
    state = f"continuing the study, {done} trial(s) done" if done else "a new study"
    print(f"{plan}; {state} in {study_path}; {args.workers} worker(s)", file=sys.stderr)
    start = time.perf_counter()
    with tqdm(
        total=spec.trials,
        initial=min(done, spec.trials),
        unit="trial",
        desc="trials",
        disable=args.quiet,
        file=sys.stderr,
    ) as bar:

        def progress(completed: int, best: float | None) -> None:
            bar.n = min(completed, spec.trials)
            if best is not None:
                bar.set_postfix(best_loss=f"{best:.3g}")
            bar.refresh()

        result = calibrate(loaded, study_path, args.workers, progress)
    write_outputs(result, loaded, out)
    best = result.best
    print(fit_text(result))
    print(f"\nbest: trial {best['number']} of {result.completed} completed, loss {best['loss']:.4g}")
    for name, value in best["params"].items():
        print(f"  {name} = {value:.6g}")
    print(
        f"{result.completed - done} trial(s) run in {time.perf_counter() - start:.0f} s; "
        f"results: {out}/ (calibrated.yaml, fit.md, trials.csv); study: {study_path}"
    )
    return 0
