"""`ampsim run` and `ampsim targets`: one scenario's run, and the baseline's replicates beside its
calibration targets with each target's pass rate. Both go through `studies.runner.run_scenario`
(the replicates through `studies.replicates.run_study`), with the scenario's settings unless the
command line gives others."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ampsim.cli.options import (
    add_command,
    add_run_options,
    replicate_argument,
    replicates_argument,
    workers_argument,
)
from ampsim.cli.scenarios import add_set_option
from ampsim.core.errors import InputError
from ampsim.core.io import check_output_folder, read_marker

if TYPE_CHECKING:
    from ampsim.model import RunSettings
    from ampsim.scenarios.scenario import Scenario
    from ampsim.studies.runner import RunResult


def add_run_commands(commands) -> None:
    """Add `run` and `targets` to the subcommands of a parser."""
    run = add_command(
        commands,
        "run",
        cmd_run,
        "run one scenario (default: the baseline) and write tables, a manifest, the resolved scenario "
        "and charts",
    )
    run.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario file (YAML)")
    add_run_options(run)
    add_set_option(run)
    run.add_argument("--replicate", type=replicate_argument, default=0, help="replicate number (default 0)")
    run.add_argument("--out", metavar="DIR", help="output folder (default results/run-<scenario>-seed<N>)")
    run.add_argument("--no-charts", action="store_true", help="skip the PNG charts")

    targets = add_command(
        commands,
        "targets",
        cmd_targets,
        "run replicates of the baseline (or read runs) and print, for each calibration target, the "
        "data, the model's mean and range and the share of replicates that meet it",
    )
    add_run_options(targets)
    targets.add_argument(
        "--replicates",
        type=replicates_argument,
        metavar="N",
        help="replicates to run (default 5)",
    )
    targets.add_argument(
        "--workers",
        type=workers_argument,
        metavar="K",
        help="worker processes, at most one per CPU (default 1)",
    )
    targets.add_argument(
        "--run",
        metavar="DIR",
        action="append",
        help="read this run folder, or every run folder inside it, instead of running (repeatable)",
    )


def scenario_and_settings(args: argparse.Namespace):
    """The scenario (the built-in baseline without a file) and its run settings, the command line's
    values overriding the scenario's."""
    from ampsim.scenarios.loading import load_scenario
    from ampsim.studies.runner import baseline_scenario, settings_for

    overrides = getattr(args, "overrides", None) or ()
    if getattr(args, "scenario", None):
        scenario = load_scenario(args.scenario, overrides)
    elif overrides:
        raise InputError("--set needs a scenario file")
    else:
        scenario = baseline_scenario()
    settings = settings_for(
        scenario,
        replicate=getattr(args, "replicate", 0),
        scale=args.scale,
        seed=args.seed,
        start=args.start,
        months=args.months,
    )
    return scenario, settings


def run_once(
    args: argparse.Namespace, scenario: Scenario | None = None, settings: RunSettings | None = None
) -> tuple[Scenario, RunSettings, RunResult, float]:
    """Run the scenario of the command line (or the one given, loaded once) with a progress bar;
    the scenario, settings, result and time."""
    from tqdm import tqdm

    from ampsim.studies.runner import run_scenario

    if scenario is None:
        scenario, settings = scenario_and_settings(args)
    bar = tqdm(total=settings.months, unit="month", desc="simulating", disable=args.quiet, file=sys.stderr)
    start = time.perf_counter()
    print("building the model (population, spin-up calibration)...", file=sys.stderr)
    try:
        result = run_scenario(scenario, settings, progress=lambda month, total: bar.update(1))
    finally:
        bar.close()
    return scenario, settings, result, time.perf_counter() - start


def cmd_run(args: argparse.Namespace) -> int:
    from ampsim.reports.run import write_run
    from ampsim.reports.text import summary_table

    scenario, settings = scenario_and_settings(args)
    out = Path(args.out) if args.out else Path("results") / f"run-{scenario.name}-seed{settings.seed}"
    check_output_folder(out, "run")  # before the simulation: refuse a folder of the user's
    scenario, settings, result, elapsed = run_once(args, scenario, settings)
    write_run(result, out, scenario.with_settings(settings), charts=not args.no_charts)
    print(summary_table(result.metro).to_string(index=False))
    print(
        f"\n{settings.months} months of {scenario.name} at scale {settings.scale:g} "
        f"({result.metadata['residents']:,} residents) in {elapsed:.1f} s; seed entropy "
        f"{result.metadata['seed_entropy']}; wrote {out}/"
    )
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ampsim.reports.text import targets_text
    from ampsim.studies.targets import DEFAULT_REPLICATES, pass_rates, run_targets

    if args.run:
        given = [f"--{name}" for name in ("replicates", "workers", "scale", "seed", "months")]
        given = [option for option in given if getattr(args, option[2:]) is not None]
        if given:
            raise InputError(f"{', '.join(given)}: only when running, not with --run (runs already made)")
        results = [result for folder in args.run for result in read_runs(folder)]
        print(f"{len(results)} run{'s' if len(results) != 1 else ''} read", file=sys.stderr)
    else:
        replicates = args.replicates or DEFAULT_REPLICATES
        print(
            f"{replicates} replicates of the baseline, {args.workers or 1} worker(s) "
            "(building each model includes the spin-up calibration)...",
            file=sys.stderr,
        )
        with tqdm(total=replicates, unit="run", desc="runs", disable=args.quiet, file=sys.stderr) as bar:
            results = run_targets(
                replicates,
                args.workers or 1,
                progress=lambda name, r: bar.update(1),
                scale=args.scale,
                seed=args.seed,
                start=args.start,
                months=args.months,
            )
    print(_runs_heading(results))
    print(targets_text(pass_rates(results)), end="")
    return 0


def _runs_heading(results: list[RunResult]) -> str:
    """What the runs were: how many, scale, months, seed entropy, replicate numbers."""

    def values(key: str) -> str:
        found = list(dict.fromkeys(str(_recorded(r, key)) for r in results))
        return ", ".join(found) if len(found) <= 3 else f"{found[0]}, ..., {found[-1]}"

    n = len(results)
    return (
        f"{n} run{'s' if n != 1 else ''} of scenario {values('scenario')} (replicates "
        f"{values('replicate')}) at scale {values('scale')}, {values('months')} months from "
        f"{values('start')}, seed entropy {values('seed_entropy')}\n"
    )


def _recorded(result: RunResult, key: str) -> object:
    """What a run's metadata records under `key` ('?' if nothing); for 'scenario', its name."""
    value = result.metadata.get(key, "?")
    if key == "scenario":
        return value.get("name", "?") if isinstance(value, dict) else "?"
    return value


def read_runs(folder: str) -> list[RunResult]:
    """The run in `folder`, or the runs in its subfolders (in name order) when it is not one."""
    path = Path(folder)
    if path.is_dir() and not (path / "manifest.json").is_file():
        inner = sorted(p for p in path.iterdir() if p.is_dir() and (p / "manifest.json").is_file())
        if inner:
            return [read_run_folder(str(p)) for p in inner]
    return [read_run_folder(folder)]


def read_run_folder(folder: str) -> RunResult:
    """The run written in `folder` by `ampsim run`, or InputError naming --run and what is missing."""
    from ampsim.studies.runner import TABLES, RunResult

    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"--run {folder}: {'not a folder' if path.exists() else 'no such folder'}")
    marker = read_marker(path)
    if marker is not None and marker["command"] != "run":
        raise InputError(f"--run {folder}: a result of ampsim {marker['command']}, not a run folder")
    missing = [
        name for name in ("manifest.json", *(f"{t}.parquet" for t in TABLES)) if not (path / name).is_file()
    ]
    if missing:
        raise InputError(f"--run {folder}: not a run folder (no {', '.join(missing)})")
    try:
        result = RunResult.read(path)
    except (OSError, ValueError) as error:
        reason = " ".join(str(error).split())[:200]
        raise InputError(f"--run {folder}: cannot read the run's tables: {reason}") from None
    if "unemployment_rate" not in result.metro.columns or "date" not in result.metro.columns:
        raise InputError(f"--run {folder}: metro.parquet is not the metro table of a run")
    return result
