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
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from ampsim.indicators import METRO_PANELS
from ampsim.world.geometry import ATTRIBUTION
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
    """A choropleth of the 107 zones' polygons coloured by `values` (grey where there is none)."""
    fig, ax = plt.subplots(figsize=(9, 7.5), constrained_layout=True)
    draw_sea(ax, territory)
    finite = values[np.isfinite(values)]
    if diverging:
        limit = float(np.max(np.abs(finite))) if finite.size else 1.0
        norm = Normalize(-limit, limit)
    else:
        norm = Normalize(*(np.percentile(finite, [0, 100]) if finite.size else (0.0, 1.0)))
    zones = draw_zones(ax, territory, values, "RdBu_r" if diverging else cmap, norm)
    fig.colorbar(zones, ax=ax, shrink=0.8)
    frame_map(ax, territory)
    ax.set_xlabel("Lambert-93 x (km)")
    ax.set_ylabel("Lambert-93 y (km)")
    ax.set_title(title)
    add_attribution(fig)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw_zones(
    ax: Axes,
    territory: Territory,
    values: np.ndarray,
    cmap: str,
    norm: Normalize,
    faded: np.ndarray | None = None,
) -> PatchCollection:
    """The zones' polygons filled by `values` through `cmap` and `norm`; zones without a value in
    light grey, `faded` zones pale. Returns the collection, for a colour bar."""
    values = np.asarray(values, dtype=float)
    patches = [PathPatch(MplPath.make_compound_path(*map(_ring_path, rings))) for rings in territory.outlines]
    colours = matplotlib.colormaps[cmap].with_extremes(bad="#d9d9d9")
    zones = PatchCollection(patches, cmap=colours, norm=norm, edgecolor="#333333", linewidth=0.25, zorder=2)
    zones.set_array(np.ma.masked_invalid(values))
    if faded is not None:
        zones.set_alpha(np.where(np.asarray(faded, bool), 0.35, 1.0))
    ax.add_collection(zones)
    return zones


def _ring_path(ring: np.ndarray) -> MplPath:
    codes = np.full(len(ring), MplPath.LINETO, dtype=MplPath.code_type)
    codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
    return MplPath(ring, codes)


def add_attribution(fig: plt.Figure, fontsize: float = 5.5) -> None:
    """The sources and licences of the zone shapes, at the foot of a map."""
    fig.text(0.005, 0.002, ATTRIBUTION, fontsize=fontsize, color="#555555", ha="left", va="bottom", wrap=True)


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
