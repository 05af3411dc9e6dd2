"""`ampsim compare`, `ampsim sweep` and `ampsim analyze`: paired comparisons with their report,
experiments over many runs, and their analysis."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ampsim.cli.options import (
    add_command,
    budget_argument,
    months_argument,
    replicates_argument,
    scale_argument,
    workers_argument,
)
from ampsim.cli.scenarios import add_set_option
from ampsim.core.errors import InputError
from ampsim.core.io import check_output_folder


def add_study_commands(commands) -> None:
    """Add `compare`, `sweep` and `analyze` to the subcommands of a parser."""
    compare = add_command(
        commands,
        "compare",
        cmd_compare,
        "compare scenarios with a baseline: paired replicates, differences with 95 %% intervals, "
        "an HTML report and a Markdown summary",
    )
    compare.add_argument("base", metavar="BASE", help="baseline scenario file (YAML)")
    compare.add_argument("others", nargs="+", metavar="OTHER", help="scenario files to compare with it")
    compare.add_argument(
        "--replicates", type=replicates_argument, help="replicates (default: the baseline's)"
    )
    compare.add_argument("--scale", type=scale_argument, help="scale (default: the baseline's)")
    compare.add_argument("--months", type=months_argument, help="months (default: the baseline's)")
    compare.add_argument(
        "--workers",
        type=workers_argument,
        default=1,
        help="worker processes, at most one per CPU (default 1)",
    )
    compare.add_argument("--out", metavar="DIR", help="output folder (default results/compare-<names>)")
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    compare.add_argument(
        "--no-participants",
        action="store_true",
        help="skip the effects on participants (the programmes' virtual experiments, paired runs of "
        "their own horizon)",
    )
    add_set_option(compare)

    sweep = add_command(
        commands,
        "sweep",
        cmd_sweep,
        "run an experiment (grid, Latin hypercube, Sobol or Morris design; levels or paired differences) "
        "on local processes or Dask, "
        "streaming results to Parquet parts; resumable",
    )
    sweep.add_argument("experiment", metavar="EXPERIMENT", help="experiment file (YAML)")
    sweep.add_argument("--out", metavar="DIR", help="results folder (default results/sweep-<name>)")
    sweep.add_argument(
        "--workers",
        type=workers_argument,
        default=1,
        help="local worker processes, at most one per CPU (default 1)",
    )
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument(
        "--dask-workers",
        type=workers_argument,
        metavar="N",
        help="start a local Dask cluster of N workers for this sweep",
    )
    sweep.add_argument("--resume", action="store_true", help="continue a killed sweep in the same folder")
    sweep.add_argument("--fail-fast", action="store_true", help="stop at the first failed run")
    sweep.add_argument("--dry-run", action="store_true", help="check the experiment and show its design")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    analyze = add_command(
        commands,
        "analyze",
        cmd_analyze,
        "analyse a sweep's results: Sobol or Morris indices with the share of noise, PRIM scenario "
        "discovery, a portfolio's Pareto fronts, factor-outcome plots, a Markdown summary",
    )
    analyze.add_argument("results", metavar="RESULTS", help="results folder of a sweep")
    analyze.add_argument(
        "--prim",
        metavar="CONDITION",
        help="PRIM boxes of the factor region where a target fails, e.g. 'neet_share<-0.2'",
    )
    analyze.add_argument(
        "--pareto",
        metavar="A,B",
        help="a portfolio sweep's Pareto front of two outcomes, and the best mix on A for its spending",
    )
    analyze.add_argument(
        "--budget", type=budget_argument, metavar="EUR", help="with --pareto: the best mix on A within EUR"
    )


def cmd_compare(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ampsim.reports.comparison import write_comparison
    from ampsim.reports.text import summary_text
    from ampsim.scenarios.loading import load_scenario
    from ampsim.studies.compare import compare
    from ampsim.studies.participants import pairings_for, participant_effects
    from ampsim.studies.replicates import run_study, study_settings

    scenarios = [load_scenario(path, args.overrides) for path in [args.base, *args.others]]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError(f"scenario names must differ, got {', '.join(names)}")
    study = study_settings(scenarios[0], args.replicates, scale=args.scale, months=args.months)
    out = Path(args.out) if args.out else Path("results") / ("compare-" + "-".join(names))
    check_output_folder(out, "compare")  # before the runs: refuse a folder of the user's
    total = study.replicates * len(scenarios)
    print(
        f"{len(scenarios)} scenarios x {study.replicates} replicates at scale {study.run.scale:g}, "
        f"{study.run.months} months, seed {study.run.seed}, {args.workers} worker(s)",
        file=sys.stderr,
    )
    start = time.perf_counter()
    with tqdm(total=total, unit="run", desc="runs", disable=args.quiet, file=sys.stderr) as bar:
        runs = run_study(scenarios, study, args.workers, progress=lambda name, r: bar.update(1))
    as_run = [s.with_settings(study.run) for s in scenarios]
    metadata = {
        "descriptions": {s.name: s.description for s in scenarios},
        "resolved": {s.name: {**s.resolved(), "replicates": study.replicates} for s in as_run},
        "seed_entropy": study.run.seed,
        "scale": study.run.scale,
        "months": study.run.months,
        "replicates": study.replicates,
        "workers": args.workers,
        "overrides": list(args.overrides),
    }
    participants = None
    if not args.no_participants:
        pairings = pairings_for(scenarios[0], scenarios[1:])
        with tqdm(
            total=len(pairings) * study.replicates,
            unit="pair",
            desc="participants",
            disable=args.quiet,
            file=sys.stderr,
        ) as bar:
            participants = participant_effects(
                scenarios[0],
                scenarios[1:],
                study.run,
                study.replicates,
                args.workers,
                lambda name, r: bar.update(1),
            )
    comparison = compare(runs, base=scenarios[0].name, metadata=metadata, participants=participants)
    write_comparison(comparison, out, as_run)
    print(summary_text(comparison))
    print(f"\n{total} runs in {time.perf_counter() - start:.0f} s; report: {out / 'report.html'}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ampsim.studies.experiment import load_experiment
    from ampsim.studies.sweep import run_sweep

    if args.scheduler and args.dask_workers:
        raise InputError("give either --scheduler or --dask-workers, not both")
    loaded = load_experiment(args.experiment)
    experiment = loaded.experiment
    out = Path(args.out) if args.out else Path("results") / f"sweep-{experiment.name}"
    print(
        f"{experiment.name}: {experiment.design.method} design, {len(loaded.design)} points x "
        f"{experiment.replicates} replicates = {loaded.n_runs} runs, batches of {experiment.batch_size}"
        + (
            f"; paired differences from {experiment.compare_with} (two model runs each)"
            if experiment.compare_with
            else ""
        ),
        file=sys.stderr,
    )
    if args.dry_run:
        print(loaded.design.to_string(max_rows=20))
        return 0
    bar, already = None, 0  # the bar is made once the folder is ready, so that a refusal is one line

    def prepared(skipped: int) -> None:
        nonlocal bar, already
        already = skipped
        bar = tqdm(
            total=loaded.n_runs, initial=skipped, unit="run", desc="runs", disable=args.quiet, file=sys.stderr
        )

    def progress(done: int, failed: int) -> None:
        bar.n = already + done + failed
        bar.set_postfix(failed=failed)
        bar.refresh()

    try:
        summary = run_sweep(
            loaded,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            dask_workers=args.dask_workers,
            resume=args.resume,
            fail_fast=args.fail_fast,
            progress=progress,
            on_prepared=prepared,
        )
    finally:
        if bar is not None:
            bar.close()
    print(summary.text())
    print(
        f"results: {out}/ (load them with ampsim.studies.sweep.load_results; "
        f"analyse them with ampsim analyze {out})"
    )
    return 1 if summary.stopped else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from ampsim.studies.analysis import analyze

    folder = analyze(args.results, prim_target=args.prim, pareto=args.pareto, budget_eur=args.budget)
    print((folder / "summary.md").read_text())
    print(f"wrote {folder}/")
    return 0
