"""`ampsim run` and `ampsim targets`: one scenario's run, and the baseline beside its calibration
targets. Both go through `studies.runner.run_scenario`, with the scenario's settings unless the
command line gives others."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ampsim.cli.options import add_command, add_run_options
from ampsim.cli.scenarios import add_set_option
from ampsim.core.errors import InputError


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
    run.add_argument("--replicate", type=int, default=0, help="replicate number (default 0)")
    run.add_argument("--out", metavar="DIR", help="output folder (default results/run-<scenario>-seed<N>)")
    run.add_argument("--no-charts", action="store_true", help="skip the PNG charts")

    targets = add_command(
        commands,
        "targets",
        cmd_targets,
        "run the baseline (or read a run) and print model beside data for each calibration target",
    )
    add_run_options(targets)
    targets.add_argument("--run", metavar="DIR", help="read this run folder instead of running")


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
        months=args.months,
    )
    return scenario, settings


def run_once(args: argparse.Namespace):
    """Run the scenario of the command line with a progress bar; the scenario, result and time."""
    from tqdm import tqdm

    from ampsim.studies.runner import run_scenario

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
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    scenario, settings, result, elapsed = run_once(args)
    write_run(result, out, scenario.with_settings(settings), charts=not args.no_charts)
    print(summary_table(result.metro).to_string(index=False))
    print(
        f"\n{settings.months} months of {scenario.name} at scale {settings.scale:g} "
        f"({result.metadata['residents']:,} residents) in {elapsed:.1f} s; seed entropy "
        f"{result.metadata['seed_entropy']}; wrote {out}/"
    )
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from ampsim.studies.runner import RunResult
    from ampsim.studies.targets import calibration_table

    if args.run:
        if not (Path(args.run) / "manifest.json").exists():
            raise InputError(f"--run {args.run}: not a run folder (no manifest.json)")
        result = RunResult.read(args.run)
    else:
        _, _, result, _ = run_once(args)
    table = calibration_table(result)
    shown = table.assign(
        model=table["model"].map(lambda v: f"{v:,.1f}"), met=table["met"].map({True: "yes", False: "NO"})
    )
    width = int(shown["target"].str.len().max())
    print(shown.to_string(index=False, formatters={"target": lambda text: f"{text:<{width}}"}))
    print(f"\n{int(table['met'].sum())} of {len(table)} targets met")
    return 0
