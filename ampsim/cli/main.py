"""The `ampsim` command: one entry point, one subcommand per task.

Bad input (an unknown zone, a scale out of range, ...) prints one line saying what was expected
and exits with code 2, never with a traceback.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ampsim.cli.scenarios import add_scenario_commands, add_set_option
from ampsim.core.errors import InputError
from ampsim.core.io import atomic_path
from ampsim.core.seeds import SeedPlan
from ampsim.core.version import __version__
from ampsim.world.grid import check_cell_km
from ampsim.world.population import check_scale, population_summary, synthesise_population
from ampsim.world.territory import Territory, load_territory


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except InputError as error:
        print(f"ampsim {args.command}: error: {error}", file=sys.stderr)
        return InputError.exit_code
    except KeyboardInterrupt:
        print("ampsim: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ampsim",
        description="Agent-based simulation of the Aix-Marseille-Provence metropolis.",
    )
    parser.add_argument("--version", action="version", version=f"ampsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    zones = _add_command(commands, "zones", cmd_zones, "table of the 107 zones and their data")
    zones.add_argument("query", nargs="*", help="INSEE codes or names to show (default: all zones)")
    _add_grid_option(zones)
    _add_csv_option(zones)

    population = _add_command(
        commands,
        "population",
        cmd_population,
        "build the synthetic population and compare it with the census, zone by zone",
    )
    population.add_argument(
        "--scale",
        type=scale_argument,
        default=0.1,
        help="fraction of the real population simulated, in (0, 1] (default 0.1)",
    )
    population.add_argument(
        "--seed", type=seed_argument, default=0, help="root random seed, a non-negative integer (default 0)"
    )
    population.add_argument(
        "--zone",
        action="append",
        default=[],
        metavar="ZONE",
        help="show only this zone (INSEE code or name); repeatable",
    )
    _add_grid_option(population)
    _add_csv_option(population)

    run = _add_command(
        commands,
        "run",
        cmd_run,
        "run one scenario (default: the baseline) and write tables, a manifest, the resolved scenario "
        "and charts",
    )
    run.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario file (YAML)")
    _add_run_options(run)
    add_set_option(run)
    run.add_argument("--replicate", type=int, default=0, help="replicate number (default 0)")
    run.add_argument("--out", metavar="DIR", help="output folder (default results/run-<scenario>-seed<N>)")
    run.add_argument("--no-charts", action="store_true", help="skip the PNG charts")

    compare = _add_command(
        commands,
        "compare",
        cmd_compare,
        "compare scenarios with a baseline: paired replicates, differences with 95 %% intervals, "
        "an HTML report and a Markdown summary",
    )
    compare.add_argument("base", metavar="BASE", help="baseline scenario file (YAML)")
    compare.add_argument("others", nargs="+", metavar="OTHER", help="scenario files to compare with it")
    compare.add_argument("--replicates", type=positive_argument, help="replicates (default: the baseline's)")
    compare.add_argument("--scale", type=scale_argument, help="scale (default: the baseline's)")
    compare.add_argument("--months", type=months_argument, help="months (default: the baseline's)")
    compare.add_argument("--workers", type=positive_argument, default=1, help="worker processes (default 1)")
    compare.add_argument("--out", metavar="DIR", help="output folder (default results/compare-<names>)")
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    add_set_option(compare)
    add_scenario_commands(commands)

    sweep = _add_command(
        commands,
        "sweep",
        cmd_sweep,
        "run an experiment (grid, Latin hypercube or Sobol design) on local processes or Dask, "
        "streaming results to Parquet parts; resumable",
    )
    sweep.add_argument("experiment", metavar="EXPERIMENT", help="experiment file (YAML)")
    sweep.add_argument("--out", metavar="DIR", help="results folder (default results/sweep-<name>)")
    sweep.add_argument(
        "--workers", type=positive_argument, default=1, help="local worker processes (default 1)"
    )
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument(
        "--dask-workers",
        type=positive_argument,
        metavar="N",
        help="start a local Dask cluster of N workers for this sweep",
    )
    sweep.add_argument("--resume", action="store_true", help="continue a killed sweep in the same folder")
    sweep.add_argument("--fail-fast", action="store_true", help="stop at the first failed run")
    sweep.add_argument("--dry-run", action="store_true", help="check the experiment and show its design")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    analyze = _add_command(
        commands,
        "analyze",
        cmd_analyze,
        "analyse a sweep's results: Sobol indices (Sobol designs), factor-outcome plots, a Markdown summary",
    )
    analyze.add_argument("results", metavar="RESULTS", help="results folder of a sweep")

    app = _add_command(
        commands, "app", cmd_app, "start the browser app: live map, charts, scenarios and sliders"
    )
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for other machines)",
    )
    app.add_argument("--port", type=positive_argument, default=8765, help="port (default 8765)")

    targets = _add_command(
        commands,
        "targets",
        cmd_targets,
        "run the baseline (or read a run) and print model beside data for each calibration target",
    )
    _add_run_options(targets)
    targets.add_argument("--run", metavar="DIR", help="read this run folder instead of running")
    return parser


def _add_run_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--scale",
        type=scale_argument,
        help="fraction of the real population simulated, in (0, 1] (default: the scenario's, else 0.1)",
    )
    command.add_argument(
        "--seed",
        type=seed_argument,
        help="root random seed, a non-negative integer (default: the scenario's, else 0)",
    )
    command.add_argument(
        "--months",
        type=months_argument,
        help="months to simulate (default: the scenario's, else 180, 2026-01 to 2040-12)",
    )
    command.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_command(commands, name: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=help_text, description=help_text)
    command.set_defaults(handler=handler)
    return command


def _add_grid_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--cell-km", type=cell_km_argument, default=1.0, help="grid cell size in km, 0.25 to 5 (default 1)"
    )


def _add_csv_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--csv", metavar="FILE", help="also write the table to this CSV file")


def scale_argument(text: str) -> float:
    try:
        return check_scale(float(text))
    except (ValueError, InputError):
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None


def seed_argument(text: str) -> int:
    try:
        return SeedPlan.from_seed(int(text)).entropy
    except (ValueError, InputError):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None


def positive_argument(text: str, what: str = "a positive whole number") -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def months_argument(text: str) -> int:
    return positive_argument(text, "a positive whole number of months")


def cell_km_argument(text: str) -> float:
    try:
        return check_cell_km(float(text))
    except (ValueError, InputError) as error:
        raise argparse.ArgumentTypeError(
            str(error) if isinstance(error, InputError) else f"expected a number of kilometres, got {text!r}"
        ) from None


def cmd_zones(args: argparse.Namespace) -> int:
    territory = load_territory(args.cell_km)
    indices = _selected_zones(territory, args.query)
    zones = territory.zones.iloc[indices]
    table = pd.DataFrame(
        {
            "code": zones["insee_code"],
            "zone": zones["name"],
            "conseil de territoire": zones["territory"],
            "population": zones["population"],
            "area km²": zones["area_km2"],
            "grid km²": territory.grid.zone_area_km2()[indices],
            "lat": zones["lat"],
            "lon": zones["lon"],
            "neighbours": territory.adjacency[indices].sum(axis=1),
        }
    )
    _print_table(
        table,
        {"area km²": "{:.1f}", "grid km²": "{:.0f}", "lat": "{:.4f}", "lon": "{:.4f}", "population": "{:,}"},
    )
    print(
        f"\n{len(table)} zones, {table['population'].sum():,} residents; "
        f"grid of {territory.grid.cell_km:g} km cells, "
        f"{territory.grid.n_cells:,} land cells in the territory"
    )
    _write_csv(table, args.csv)
    return 0


def cmd_population(args: argparse.Namespace) -> int:
    territory = load_territory(args.cell_km)
    selected = _selected_zones(territory, args.zone) if args.zone else None
    plan = SeedPlan.from_seed(args.seed)
    start = time.perf_counter()
    residents = synthesise_population(territory, args.scale, plan.replicate(0))
    elapsed = time.perf_counter() - start
    summary = population_summary(territory, residents)
    if selected is not None:
        summary = summary.iloc[[*selected, len(summary) - 1]]
    columns = {
        "people": ("people sim", "{:,.0f}"),
        "people_data": ("people data", "{:,.0f}"),
        "unemployment_pct": ("unemp% sim", "{:.1f}"),
        "unemployment_pct_data": ("unemp% data", "{:.1f}"),
        "median_income": ("median€ sim", "{:,.0f}"),
        "median_income_data": ("median€ data", "{:,.0f}"),
        "youth_share_pct": ("15-29% sim", "{:.1f}"),
        "youth_share_pct_data": ("15-29% data", "{:.1f}"),
    }
    table = summary.rename(columns={key: label for key, (label, _) in columns.items()})
    _print_table(table, dict(columns.values()))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{residents.n:,} residents at scale {args.scale:g} ({residents.weight:.3f} people each), "
        f"built in {elapsed:.2f} s; resident arrays {residents.nbytes / 1e6:.1f} MB "
        f"({residents.bytes_per_resident:.0f} bytes per resident); peak memory {peak_mb:,.0f} MB; "
        f"seed entropy {plan.entropy}"
    )
    print(
        "Data: INSEE legal populations 2023, census 2022 (unemployment 15-64, share of 15-29), "
        "Filosofi 2021 (median income per consumption unit)."
    )
    _write_csv(summary, args.csv)
    return 0


def _run_settings(args: argparse.Namespace):
    """The scenario (if any) and the run's settings: the command line wins over the scenario."""
    from ampsim.scenarios.loading import load_scenario

    scenario = None
    if getattr(args, "scenario", None):
        scenario = load_scenario(args.scenario, args.overrides)
    elif getattr(args, "overrides", None):
        raise InputError("--set needs a scenario file")
    scale = args.scale or (scenario.scale if scenario else 0.1)
    seed = args.seed if args.seed is not None else (scenario.seed if scenario else 0)
    months = args.months or (scenario.horizon.months if scenario else 180)
    return scenario, scale, seed, months


def _run_once(args: argparse.Namespace):
    """Run one scenario (or the built-in baseline) with a progress bar; returns the result and time."""
    from tqdm import tqdm

    from ampsim.studies.runner import run_model

    scenario, scale, seed, months = _run_settings(args)
    bar = tqdm(total=months, unit="month", desc="simulating", disable=args.quiet, file=sys.stderr)

    def progress(month: int, total: int) -> None:
        bar.update(1)

    start = time.perf_counter()
    print("building the model (population, spin-up calibration)...", file=sys.stderr)
    try:
        result = run_model(
            scenario.model_parameters() if scenario else None,
            scale=scale,
            seed=seed,
            replicate=getattr(args, "replicate", 0),
            months=months,
            start=scenario.horizon.start if scenario else "2026-01",
            interventions=scenario.build_interventions() if scenario else (),
            progress=progress,
        )
    finally:
        bar.close()
    if scenario is not None:
        result.metadata["scenario"] = scenario.resolved()
    return scenario, result, time.perf_counter() - start


def cmd_run(args: argparse.Namespace) -> int:
    from ampsim.reports.run import write_run
    from ampsim.reports.text import summary_table

    scenario, scale, seed, _ = _run_settings(args)
    name = scenario.name if scenario else "baseline"
    out = Path(args.out) if args.out else Path("results") / f"run-{name}-seed{seed}"
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    scenario, result, elapsed = _run_once(args)
    write_run(result, out, scenario, charts=not args.no_charts)
    print(summary_table(result.metro).to_string(index=False))
    print(
        f"\n{result.metadata['months']} months of {name} at scale {scale:g} "
        f"({result.metadata['residents']:,} residents) in {elapsed:.1f} s; seed entropy "
        f"{result.metadata['seed_entropy']}; wrote {out}/"
    )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ampsim.reports.comparison import write_comparison
    from ampsim.reports.text import summary_text
    from ampsim.scenarios.loading import load_scenario
    from ampsim.scenarios.provenance import write_provenance
    from ampsim.studies.compare import compare
    from ampsim.studies.replicates import run_study, study_settings

    scenarios = [load_scenario(path, args.overrides) for path in [args.base, *args.others]]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError(f"scenario names must differ, got {', '.join(names)}")
    settings = study_settings(scenarios[0], args.replicates, args.scale, args.months)
    out = Path(args.out) if args.out else Path("results") / ("compare-" + "-".join(names))
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    total = settings.replicates * len(scenarios)
    print(
        f"{len(scenarios)} scenarios x {settings.replicates} replicates at scale {settings.scale:g}, "
        f"{settings.months} months, seed {settings.seed}, {args.workers} worker(s)",
        file=sys.stderr,
    )
    start = time.perf_counter()
    with tqdm(total=total, unit="run", desc="runs", disable=args.quiet, file=sys.stderr) as bar:
        runs = run_study(scenarios, settings, args.workers, progress=lambda name, r: bar.update(1))
    metadata = {
        "descriptions": {s.name: s.description for s in scenarios},
        "resolved": {s.name: _as_run(s.resolved(), settings) for s in scenarios},
        "seed_entropy": settings.seed,
        "scale": settings.scale,
        "months": settings.months,
        "replicates": settings.replicates,
        "workers": args.workers,
        "overrides": list(args.overrides),
    }
    comparison = compare(runs, base=scenarios[0].name, metadata=metadata)
    write_comparison(comparison, out)
    for scenario in scenarios:
        write_provenance(scenario, out / "scenarios" / scenario.name)
    print(summary_text(comparison))
    print(f"\n{total} runs in {time.perf_counter() - start:.0f} s; report: {out / 'report.html'}")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from ampsim.studies.runner import RunResult
    from ampsim.studies.targets import calibration_table

    if args.run:
        if not (Path(args.run) / "manifest.json").exists():
            raise InputError(f"--run {args.run}: not a run folder (no manifest.json)")
        result = RunResult.read(args.run)
    else:
        _, result, _ = _run_once(args)
    table = calibration_table(result)
    shown = table.assign(
        model=table["model"].map(lambda v: f"{v:,.1f}"), met=table["met"].map({True: "yes", False: "NO"})
    )
    width = int(shown["target"].str.len().max())
    print(shown.to_string(index=False, formatters={"target": lambda text: f"{text:<{width}}"}))
    print(f"\n{int(table['met'].sum())} of {len(table)} targets met")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ampsim.studies.experiment import load_experiment
    from ampsim.studies.sweep import done_keys, run_sweep

    if args.scheduler and args.dask_workers:
        raise InputError("give either --scheduler or --dask-workers, not both")
    loaded = load_experiment(args.experiment)
    experiment = loaded.experiment
    out = Path(args.out) if args.out else Path("results") / f"sweep-{experiment.name}"
    print(
        f"{experiment.name}: {experiment.design.method} design, {len(loaded.design)} points x "
        f"{experiment.replicates} replicates = {loaded.n_runs} runs, batches of {experiment.batch_size}",
        file=sys.stderr,
    )
    if args.dry_run:
        print(loaded.design.to_string(max_rows=20))
        return 0
    already = len(done_keys(out)) if args.resume and out.exists() else 0
    with tqdm(
        total=loaded.n_runs, initial=already, unit="run", desc="runs", disable=args.quiet, file=sys.stderr
    ) as bar:

        def progress(done: int, failed: int) -> None:
            bar.n = already + done + failed
            bar.set_postfix(failed=failed)
            bar.refresh()

        summary = run_sweep(
            loaded,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            dask_workers=args.dask_workers,
            resume=args.resume,
            fail_fast=args.fail_fast,
            progress=progress,
        )
    print(summary.text())
    print(
        f"results: {out}/ (load them with ampsim.studies.sweep.load_results; "
        f"analyse them with ampsim analyze {out})"
    )
    return 1 if summary.stopped else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from ampsim.studies.analysis import analyze

    folder = analyze(args.results)
    print((folder / "summary.md").read_text())
    print(f"wrote {folder}/")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from ampsim.app import serve

    print(f"open http://{args.host}:{args.port} in a browser (Ctrl+C to stop)")
    serve(host=args.host, port=args.port)
    return 0


def _as_run(resolved: dict, settings) -> dict:
    """A resolved scenario with the settings the study actually used (shared by all scenarios)."""
    horizon = {**resolved.get("horizon", {}), "start": settings.start, "months": settings.months}
    return {
        **resolved,
        "horizon": horizon,
        "scale": settings.scale,
        "replicates": settings.replicates,
        "seed": settings.seed,
    }


def _selected_zones(territory: Territory, queries: Sequence[str]) -> list[int]:
    if not queries:
        return list(range(territory.n_zones))
    indices: list[int] = []
    for query in queries:
        indices.extend(int(i) for i in territory.select(query) if int(i) not in indices)
    return indices


def _print_table(table: pd.DataFrame, formats: dict[str, str]) -> None:
    formatters = {
        column: (lambda value, f=fmt: "" if pd.isna(value) else f.format(value))
        for column, fmt in formats.items()
    }
    print(table.to_string(index=False, formatters=formatters, na_rep=""))


def _write_csv(table: pd.DataFrame, path: str | None) -> None:
    if not path:
        return
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)
    print(f"wrote {path}")


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    main_entry()
