"""`ampsim evaluate`: every programme's virtual experiment, its effect beside its evaluation's."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ampsim.cli.options import (
    add_command,
    available_cpus,
    replicates_argument,
    scale_argument,
    seed_argument,
    workers_argument,
)
from ampsim.core.errors import InputError


def add_evaluation_commands(commands) -> None:
    """Add `evaluate` to the subcommands of a parser."""
    from ampsim.studies.evaluation.evaluate import DEFAULT_REPLICATES, DEFAULT_SCALE

    evaluate = add_command(
        commands,
        "evaluate",
        cmd_evaluate,
        "run every programme's virtual experiment (participants against the same people or startups "
        "in the paired baseline) and compare its effect with the published evaluation",
    )
    evaluate.add_argument(
        "names", nargs="*", metavar="EXPERIMENT", help="experiments to run (default: all; see --list)"
    )
    evaluate.add_argument("--list", action="store_true", help="list the experiments and their checks")
    evaluate.add_argument(
        "--scale",
        type=scale_argument,
        default=DEFAULT_SCALE,
        help=f"scale (default {DEFAULT_SCALE:g}); an experiment with a scale of its own keeps it",
    )
    evaluate.add_argument(
        "--replicates",
        type=replicates_argument,
        default=DEFAULT_REPLICATES,
        help=f"paired runs per experiment (default {DEFAULT_REPLICATES})",
    )
    evaluate.add_argument("--seed", type=seed_argument, default=0, help="root random seed (default 0)")
    evaluate.add_argument(
        "--workers",
        type=workers_argument,
        default=min(2, available_cpus()),
        help="worker processes, at most one per CPU (default: 2, or 1 on a single CPU)",
    )
    evaluate.add_argument("--out", metavar="DIR", default="results/evaluate", help="output folder")
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_evaluate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ampsim.core.io import check_output_folder, staged_directory
    from ampsim.model import RunSettings
    from ampsim.studies.evaluation.catalogue import experiments_named
    from ampsim.studies.evaluation.evaluate import (
        evaluate,
        results_table,
        text_table,
        verdict_counts,
        write_evaluation,
    )

    if args.list:
        for experiment in experiments_named(None):
            print(f"{experiment.name}: {experiment.programme}")
            for check in experiment.checks:
                print(
                    f"  {check.key}: {check.outcome}, {check.horizon} ({check.evidence.study.split(',')[0]})"
                )
        return 0
    try:
        experiments = experiments_named(args.names)
    except ValueError as error:
        raise InputError(str(error)) from None
    out = Path(args.out)
    check_output_folder(out, "evaluate")
    settings = RunSettings(scale=args.scale, seed=args.seed)
    own = sorted({f"{e.name} {e.scale:g}" for e in experiments if e.scale is not None})
    scales = f"scale {args.scale:g}" + (f" ({', '.join(own)}: their own)" if own else "")
    print(
        f"{len(experiments)} experiments x {args.replicates} paired replicates at {scales}, "
        f"seed {args.seed}, {args.workers} worker(s)",
        file=sys.stderr,
    )
    start = time.perf_counter()
    total = len(experiments) * args.replicates
    with tqdm(total=total, unit="pair", desc="paired runs", disable=args.quiet, file=sys.stderr) as bar:
        results = evaluate(
            experiments, settings, args.replicates, args.workers, lambda name, r: bar.update(1)
        )
    table = results_table(results)
    with staged_directory(out, "evaluate") as staging:
        write_evaluation(table, staging, settings, args.replicates)
    print(text_table(table))
    print(
        f"\n{verdict_counts(table)}; "
        f"{total} paired runs in {time.perf_counter() - start:.0f} s; table: {out / 'evaluation.md'}"
    )
    return 0
