"""The figures of a comparison report: time series with bands, and maps of zone differences."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure as MplFigure

from ampsim.indicators import CHART_INDICATORS, MAP_INDICATORS, METRO, ZONE
from ampsim.reports.charts import add_attribution, draw_sea, draw_zones, frame_map
from ampsim.reports.text import final_label
from ampsim.studies.compare import Comparison
from ampsim.world.geometry import ATTRIBUTION
from ampsim.world.territory import MAP_TOWNS, Territory, load_territory

MAP_PLACES = MAP_TOWNS[:6]  # fewer names on the small maps of the report


@dataclass(frozen=True)
class Figure:
    """A rendered chart: PNG bytes, a caption, and the report section it belongs to."""

    name: str
    caption: str
    section: str  # "series" or "maps"
    png: bytes

    @property
    def path(self) -> str:
        """Where the PNG is written, relative to the comparison folder."""
        return f"figures/{self.name}.png"


def render_figures(comparison: Comparison, territory: Territory | None = None) -> list[Figure]:
    """Time-series charts of the key indicators and, per scenario, maps of zone differences."""
    figures = [
        _series_figure(comparison, name)
        for name in CHART_INDICATORS
        if name in set(comparison.series["indicator"])
    ]
    indicators = [name for name in MAP_INDICATORS if name in set(comparison.zones.get("indicator", []))]
    if indicators:
        territory = territory or load_territory()
        figures += [
            _map_figure(comparison, scenario, f"map_{i + 1}_{_slug(scenario)}", indicators, territory)
            for i, scenario in enumerate(comparison.scenarios)
        ]
    return figures


def _png(fig: MplFigure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _series_figure(comparison: Comparison, name: str) -> Figure:
    """Baseline and scenario means by month, and each difference with its 95 % band."""
    indicator = METRO[name]
    series = comparison.series[comparison.series["indicator"] == name]
    fig = MplFigure(figsize=(11, 3.6), layout="constrained")
    levels, differences = fig.subplots(1, 2)
    colours = [f"C{i % 10}" for i in range(len(comparison.scenarios))]
    for scenario, colour in zip(comparison.scenarios, colours, strict=True):
        rows = series[series["scenario"] == scenario]
        dates = pd.to_datetime(rows["date"])
        if scenario == comparison.scenarios[0]:
            levels.plot(
                dates, rows["base_mean"], color="black", lw=1.6, label=_baseline_label(comparison.base)
            )
        levels.plot(dates, rows["other_mean"], color=colour, lw=1.3, label=scenario)
        differences.plot(dates, rows["diff_mean"], color=colour, lw=1.3, label=scenario)
        differences.fill_between(dates, rows["diff_low"], rows["diff_high"], color=colour, alpha=0.2, lw=0)
    differences.axhline(0, color="black", lw=0.8)
    _style_axes(levels, f"{indicator.label}: mean of replicates", indicator.final_unit)
    _style_axes(differences, "Difference from the baseline, with 95 % interval", indicator.final_unit)
    caption = (
        f"{indicator.label} by month ({indicator.final_unit}). Left: means over replicates. Right: "
        f"scenario minus baseline, paired by replicate; the shaded band is the 95 % interval."
    )
    return Figure(f"series_{name}", caption, "series", _png(fig))


def _baseline_label(base: str) -> str:
    """The baseline's name in a legend."""
    return base if "baseline" in base.lower() else f"{base} (baseline)"


def _style_axes(ax: Axes, title: str, unit: str) -> None:
    """Title, unit, grid, legend and readable dates."""
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def _slug(name: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "scenario"


def _map_figure(
    comparison: Comparison, scenario: str, figure_name: str, indicators: Sequence[str], territory: Territory
) -> Figure:
    """One panel per zone indicator: the final-year difference of each zone from the baseline."""
    zones = comparison.zones[comparison.zones["scenario"] == scenario]
    fig = MplFigure(figsize=(5.2 * len(indicators), 4.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(indicators)))
    for ax, name in zip(axes, indicators, strict=True):
        rows = zones[zones["indicator"] == name].set_index("code").reindex(territory.codes)
        info = ZONE.get(name)
        label, unit = (info.label, info.unit) if info else (name, "")
        draw_zone_differences(
            ax,
            territory,
            rows["diff_final"].to_numpy(float),
            rows["significant"].fillna(False).to_numpy(bool),
            f"{label} ({unit})",
        )
    fig.suptitle(f"{scenario} minus {comparison.base}, {final_label(comparison)}", fontsize=11)
    add_attribution(fig)
    caption = (
        f"{scenario}: difference of each zone from the baseline in the final year. Red: higher than the "
        "baseline, blue: lower. Pale zones are those whose 95 % interval includes 0 (small zones are "
        f"noisy). {ATTRIBUTION}"
    )
    return Figure(figure_name, caption, "maps", _png(fig))


def draw_zone_differences(
    ax: Axes, territory: Territory, values: np.ndarray, significant: np.ndarray, title: str
) -> None:
    """A choropleth of the zones' polygons coloured by a difference on a scale symmetric around 0;
    zones whose interval includes 0 pale, zones without a value grey."""
    draw_sea(ax, territory)
    limit = colour_limit(values, significant)
    zones = draw_zones(ax, territory, values, "RdBu_r", Normalize(-limit, limit), faded=~significant)
    ax.figure.colorbar(zones, ax=ax, shrink=0.8, extend="both")
    frame_map(ax, territory, MAP_PLACES, fontsize=6, offset=3)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


def colour_limit(values: np.ndarray, significant: np.ndarray) -> float:
    """Half-range of a symmetric colour scale: the largest significant difference, else the 95th
    percentile of all, so that one noisy small zone does not wash out the others."""
    values = np.abs(np.asarray(values, dtype=float))
    chosen = values[np.isfinite(values) & significant]
    if chosen.size == 0:
        finite = values[np.isfinite(values)]
        chosen = np.array([np.percentile(finite, 95)]) if finite.size else np.zeros(1)
    limit = float(chosen.max())
    return limit if limit > 0 else 1.0
