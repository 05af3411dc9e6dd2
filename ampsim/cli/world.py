"""`ampsim zones` and `ampsim population`: the territory's zones, and the synthetic population
beside the census."""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Sequence

import pandas as pd

from ampsim.cli.options import (
    add_command,
    add_csv_option,
    add_grid_option,
    print_table,
    scale_argument,
    seed_argument,
    write_csv,
)
from ampsim.core.seeds import SeedPlan
from ampsim.world.population import population_summary, synthesise_population
from ampsim.world.territory import Territory, load_territory


def add_world_commands(commands) -> None:
    """Add `zones` and `population` to the subcommands of a parser."""
    zones = add_command(commands, "zones", cmd_zones, "table of the 107 zones and their data")
    zones.add_argument("query", nargs="*", help="INSEE codes or names to show (default: all zones)")
    add_grid_option(zones)
    add_csv_option(zones)

    population = add_command(
        commands,
        "population",
        cmd_population,
        "build the synthetic population and compare it with the census, zone by zone",
    )
    population.add_argument(
        "--scale",
        type=scale_argument,
        help="fraction of the real population simulated, in (0, 1] (default: a run's default scale)",
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
    add_grid_option(population)
    add_csv_option(population)


def cmd_zones(args: argparse.Namespace) -> int:
    territory = load_territory(args.cell_km)
    indices = selected_zones(territory, args.query)
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
    print_table(
        table,
        {"area km²": "{:.1f}", "grid km²": "{:.0f}", "lat": "{:.4f}", "lon": "{:.4f}", "population": "{:,}"},
    )
    print(
        f"\n{len(table)} zones, {table['population'].sum():,} residents; "
        f"grid of {territory.grid.cell_km:g} km cells, "
        f"{int((~territory.grid.cell_priority).sum()):,} land cells in the territory"
    )
    write_csv(table, args.csv)
    return 0


def cmd_population(args: argparse.Namespace) -> int:
    from ampsim.model import DEFAULT_SETTINGS

    if args.scale is None:
        args.scale = DEFAULT_SETTINGS.scale
    territory = load_territory(args.cell_km)
    selected = selected_zones(territory, args.zone) if args.zone else None
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
    print_table(table, dict(columns.values()))
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
    write_csv(summary, args.csv)
    return 0


def selected_zones(territory: Territory, queries: Sequence[str]) -> list[int]:
    if not queries:
        return list(range(territory.n_zones))
    indices: list[int] = []
    for query in queries:
        indices.extend(int(i) for i in territory.select(query) if int(i) not in indices)
    return indices
