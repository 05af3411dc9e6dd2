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

from ampsim import __version__
from ampsim.errors import InputError
from ampsim.grid import check_cell_km
from ampsim.io import atomic_path
from ampsim.population import check_scale, population_summary, synthesise_population
from ampsim.seeds import SeedPlan
from ampsim.territory import Territory, load_territory


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
        commands, "run", cmd_run, "run the baseline model and write tables, a manifest and charts"
    )
    _add_run_options(run)
    run.add_argument("--out", metavar="DIR", help="output folder (default results/run-scale<S>-seed<N>)")
    run.add_argument("--no-charts", action="store_true", help="skip the PNG charts")

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
        default=0.1,
        help="fraction of the real population simulated, in (0, 1] (default 0.1)",
    )
    command.add_argument(
        "--seed", type=seed_argument, default=0, help="root random seed, a non-negative integer (default 0)"
    )
    command.add_argument(
        "--months",
        type=months_argument,
        default=180,
        help="months to simulate from 2026-01 (default 180, to 2040-12)",
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


def months_argument(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number of months, got {text!r}")
    return value


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


def _run_baseline(args: argparse.Namespace):
    from tqdm import tqdm

    from ampsim.run import run_model

    bar = tqdm(total=args.months, unit="month", desc="simulating", disable=args.quiet, file=sys.stderr)

    def progress(month: int, total: int) -> None:
        bar.update(1)

    start = time.perf_counter()
    print("building the model (population, spin-up calibration)...", file=sys.stderr)
    try:
        result = run_model(scale=args.scale, seed=args.seed, months=args.months, progress=progress)
    finally:
        bar.close()
    return result, time.perf_counter() - start


def cmd_run(args: argparse.Namespace) -> int:
    from ampsim.report import summary_table

    out = Path(args.out) if args.out else Path("results") / f"run-scale{args.scale:g}-seed{args.seed}"
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    result, elapsed = _run_baseline(args)
    result.write(out, charts=not args.no_charts)
    print(summary_table(result.metro).to_string(index=False))
    print(
        f"\n{args.months} months at scale {args.scale:g} ({result.metadata['residents']:,} residents) in "
        f"{elapsed:.1f} s; seed entropy {result.metadata['seed_entropy']}; wrote {out}/"
    )
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from ampsim.calibration import calibration_table
    from ampsim.run import RunResult

    if args.run:
        if not (Path(args.run) / "manifest.json").exists():
            raise InputError(f"--run {args.run}: not a run folder (no manifest.json)")
        result = RunResult.read(args.run)
    else:
        result, _ = _run_baseline(args)
    table = calibration_table(result)
    shown = table.assign(
        model=table["model"].map(lambda v: f"{v:,.1f}"), met=table["met"].map({True: "yes", False: "NO"})
    )
    width = int(shown["target"].str.len().max())
    print(shown.to_string(index=False, formatters={"target": lambda text: f"{text:<{width}}"}))
    print(f"\n{int(table['met'].sum())} of {len(table)} targets met")
    return 0


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
