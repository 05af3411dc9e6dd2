"""PNG charts of a run: metro series and maps of the zones."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ampsim.indicators import METRO_PANELS
from ampsim.world.territory import MAP_TOWNS, Territory, load_territory

if TYPE_CHECKING:
    from ampsim.studies.runner import RunResult


def write_run_charts(result: RunResult, directory: Path) -> list[Path]:
    """Write the run's charts into `directory`; returns their paths."""
    territory = load_territory()
    paths = [metro_series_chart(result.metro, directory / "metro_series.png")]
    last_year = result.zones[result.zones["month"] > result.zones["month"].max() - 12]
    mean_last_year = last_year.groupby("code", sort=False).mean(numeric_only=True)
    for column, title, name, cmap in (
        ("unemployment_rate", "Unemployment rate, last 12 months (%)", "map_unemployment.png", "viridis"),
        ("no2", "NO2 at home, population-weighted, last 12 months (µg/m³)", "map_no2.png", "magma_r"),
    ):
        values = mean_last_year.reindex(territory.codes)[column].to_numpy()
        paths.append(zone_map(territory, values, title, directory / name, cmap=cmap))
    return paths


def metro_series_chart(metro: pd.DataFrame, path: Path) -> Path:
    dates = pd.to_datetime(metro["date"])
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), constrained_layout=True)
    for ax, (title, lines) in zip(axes.ravel(), METRO_PANELS, strict=True):
        for column, label in lines:
            if column in metro:
                ax.plot(dates, metro[column], label=label)
        ax.set_title(title)
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            ax.legend()
    fig.suptitle("Aix-Marseille-Provence: metro indicators by month")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def zone_map(
    territory: Territory,
    values: np.ndarray,
    title: str,
    path: Path,
    cmap: str = "viridis",
    diverging: bool = False,
) -> Path:
    """The 107 zones as discs at their centres, sized by population, coloured by `values`."""
    fig, ax = plt.subplots(figsize=(9, 7.5), constrained_layout=True)
    draw_sea(ax, territory)
    limit = np.nanmax(np.abs(values)) if diverging else None
    scatter = ax.scatter(
        territory.x_km,
        territory.y_km,
        s=8 + 1200 * territory.population / territory.population.max(),
        c=values,
        cmap="RdBu_r" if diverging else cmap,
        vmin=-limit if diverging else None,
        vmax=limit if diverging else None,
        edgecolors="black",
        linewidths=0.3,
        zorder=2,
    )
    fig.colorbar(scatter, ax=ax, shrink=0.8)
    frame_map(ax, territory)
    ax.set_xlabel("Lambert-93 x (km)")
    ax.set_ylabel("Lambert-93 y (km)")
    ax.set_title(title)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw_sea(ax: Axes, territory: Territory) -> None:
    """The sea and the Étang de Berre, under the zones."""
    for polygon in territory.sea_polygons_km:
        ax.fill(polygon[:, 0], polygon[:, 1], color="#dbe9f6", zorder=0)


def frame_map(
    ax: Axes, territory: Territory, towns: tuple[str, ...] = MAP_TOWNS, fontsize: float = 7, offset: float = 4
) -> None:
    """Name the towns and fit the axes to the grid, less an 8 km margin, at equal scales."""
    for label, x, y in territory.town_labels(towns):
        ax.annotate(label, (x, y), fontsize=fontsize, xytext=(offset, offset), textcoords="offset points")
    grid = territory.grid
    ax.set_xlim(grid.x0_km + 8, grid.x0_km + grid.nx * grid.cell_km - 8)
    ax.set_ylim(grid.y0_km + 8, grid.y0_km + grid.ny * grid.cell_km - 8)
    ax.set_aspect("equal")
