"""What the page draws from a frame: the zone map, the air map, the metro charts and a zone's figures.

The maps are SVG drawn in the browser by a small Vue component (`map.vue`): the zones' polygons
coloured by an indicator (a choropleth, with the shapes' attribution), the pollution field as an
image, the stations and sensors; hovering shows a zone's figures, clicking selects it. The charts are
SVG built here. Everything is computed from a `Frame`, never from a model being stepped.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import matplotlib.image
import numpy as np
import solara
from matplotlib.ticker import MaxNLocator

from ampsim.app.controller import Frame
from ampsim.indicators import METRO_PANELS, ZONE, ZONE_NAMES
from ampsim.submodels.exposure import ExposureParameters
from ampsim.world.geometry import ATTRIBUTION
from ampsim.world.territory import Territory

INDICATORS = ZONE  # the zone indicators, their labels, units and colour maps: one catalogue

_WHO = ExposureParameters()  # the WHO 2021 annual guidelines, as the model's exposure uses them
# pollutant -> (label, colour scale range in µg/m³, WHO 2021 annual guideline)
FIELDS: dict[str, tuple[str, float, float, float]] = {
    "no2": ("NO2", 5.0, 40.0, _WHO.who_guideline_no2),
    "pm10": ("PM10", 10.0, 30.0, _WHO.who_guideline_pm10),
    "pm25": ("PM2.5", 5.0, 20.0, _WHO.who_guideline_pm25),
}
LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c")
# the metro charts: title, then (indicator, legend, colour) for each line
CHARTS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = tuple(
    (title, tuple((name, legend, LINE_COLOURS[k]) for k, (name, legend) in enumerate(lines)))
    for title, lines in METRO_PANELS
)
UNITLESS = ("people", "startups", "jobs", "index")  # counts and indices read without a unit


def format_value(value: float, indicator: str) -> str:
    """A zone figure with its unit, e.g. '12.3 %' or '21,340 €/year'."""
    spec = INDICATORS[indicator]
    if value is None or not math.isfinite(value):
        return "n/a"
    text = f"{value:,.{spec.digits}f}"
    return text if spec.unit in UNITLESS else f"{text} {spec.unit}".strip()


# --- geometry --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapFrame:
    """The map's extent in Lambert-93 km and the conversion to SVG coordinates (km, y down)."""

    x0: float
    y_top: float
    width: float
    height: float

    @classmethod
    def of(cls, territory: Territory) -> MapFrame:
        grid = territory.grid
        return cls(
            grid.x0_km, grid.y0_km + grid.ny * grid.cell_km, grid.nx * grid.cell_km, grid.ny * grid.cell_km
        )

    def xy(self, x_km: float, y_km: float) -> tuple[float, float]:
        return round(float(x_km) - self.x0, 3), round(self.y_top - float(y_km), 3)


def _base_props(territory: Territory) -> dict[str, Any]:
    """What both maps share: size, sea outlines, town labels."""
    frame = MapFrame.of(territory)
    sea = [
        " ".join(f"{x},{y}" for x, y in (frame.xy(*p) for p in polygon))
        for polygon in territory.sea_polygons_km
    ]
    labels = []
    for text, x_km, y_km in territory.town_labels():
        x, y = frame.xy(x_km, y_km)
        labels.append({"x": x, "y": y, "text": text})
    return {"width": frame.width, "height": frame.height, "sea": sea, "labels": labels}


def _hex(rgba: Sequence[float]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(255 * c) for c in rgba[:3]))


def colorbar(title: str, cmap: str, low: float, high: float, fmt: Callable[[float], str]) -> dict[str, Any]:
    """A horizontal colour ramp with a few ticks."""
    colours = matplotlib.colormaps[cmap](np.linspace(0, 1, 9))
    gradient = "linear-gradient(to right, " + ", ".join(_hex(c) for c in colours) + ")"
    span = high - low if high > low else 1.0
    ticks = [
        {"position": round(100 * (value - low) / span, 2), "label": fmt(value)}
        for value in MaxNLocator(5).tick_values(low, high)
        if low <= value <= high
    ]
    ends = [{"position": 0.0, "label": fmt(low)}, {"position": 100.0, "label": fmt(high)}]
    inner = [t for t in ticks if 8 < t["position"] < 92]
    return {"title": title, "gradient": gradient, "ticks": [ends[0], *inner, ends[1]]}


@functools.lru_cache(maxsize=2)
def zone_paths(territory: Territory) -> tuple[str, ...]:
    """Each zone's polygon as an SVG path in map coordinates (km, y down), holes included."""
    frame = MapFrame.of(territory)

    def ring_path(ring: np.ndarray) -> str:
        points = [frame.xy(x, y) for x, y in ring[:-1]]
        return "M" + " L".join(f"{x:.2f} {y:.2f}" for x, y in points) + " Z"

    return tuple(" ".join(ring_path(ring) for ring in rings) for rings in territory.outlines)


def zone_map_props(
    frame: Frame | None, territory: Territory, indicator: str, selected: int | None
) -> dict[str, Any]:
    """Props of the zone map: a choropleth of the zones' polygons by `indicator` of the last month."""
    spec = INDICATORS[indicator]
    geometry = MapFrame.of(territory)
    has_values = frame is not None and frame.zone_values is not None
    values = (
        frame.zone_values[:, ZONE_NAMES.index(indicator)]
        if has_values
        else np.full(territory.n_zones, np.nan)
    )
    finite = values[np.isfinite(values)]
    low, high = np.percentile(finite, [5, 95]) if finite.size else (0.0, 1.0)
    if high <= low:
        high = low + 1.0
    colours = matplotlib.colormaps[spec.cmap](np.clip((values - low) / (high - low), 0, 1))
    paths = zone_paths(territory)
    zones = []
    for i in range(territory.n_zones):
        x, y = geometry.xy(territory.x_km[i], territory.y_km[i])
        text = format_value(values[i], indicator)
        lines = [f"{spec.label}: {text}"] if has_values else ["figures appear after the first month"]
        lines.append(f"INSEE {territory.codes[i]}, {territory.zones['territory'].iloc[i]}")
        lines.append(f"population (census): {int(territory.population[i]):,}")
        if has_values and indicator != "unemployment_rate":
            unemployment = format_value(frame.zone_value(i, "unemployment_rate"), "unemployment_rate")
            lines.append(f"unemployment 15-64: {unemployment}")
        if has_values and indicator != "no2":
            lines.append(f"NO2 at home: {format_value(frame.zone_value(i, 'no2'), 'no2')}")
        zones.append(
            {
                "index": i,
                "code": int(territory.codes[i]),
                "name": territory.names[i],
                "x": x,
                "y": y,
                "path": paths[i],
                "fill": _hex(colours[i]) if np.isfinite(values[i]) else "#bbbbbb",
                "opacity": 0.9,
                "text": text,
                "lines": lines,
            }
        )
    unit = f" ({spec.unit})" if spec.unit else ""
    month = frame.date if has_values else "before the first month"
    return {
        **_base_props(territory),
        "testid": "zone-map",
        "layer": indicator,
        "month": frame.month if frame else 0,
        "title": f"{spec.label}{unit} by zone, {month}",
        "image": "",
        "zones": zones,
        "markers": [],
        "selected": -1 if selected is None else int(selected),
        "colorbar": colorbar(f"{spec.label}{unit}", spec.cmap, float(low), float(high), _short(spec.digits))
        if has_values
        else None,
        "note": "Click a zone for all its figures. Colours span the 5th-95th percentiles; at small scales "
        "small communes have few simulated residents.",
        "attribution": ATTRIBUTION,
    }


def field_png(field: np.ndarray, low: float, high: float, cmap: str = "magma_r") -> str:
    """The field (rows south to north) as a PNG data URL, north up."""
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, field[::-1], vmin=low, vmax=high, cmap=cmap, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def air_map_props(frame: Frame | None, territory: Territory, pollutant: str) -> dict[str, Any]:
    """Props of the air map: the pollutant's field, monitoring stations and low-cost sensors."""
    label, low, high, who = FIELDS[pollutant]
    geometry = MapFrame.of(territory)
    markers = []
    if frame is not None:
        for k, sensor in enumerate(frame.sensors):
            x, y = geometry.xy(sensor.x_km, sensor.y_km)
            if not (0 <= x <= geometry.width and 0 <= y <= geometry.height):
                continue
            readings = dict(sensor.readings)
            value = readings.get(label, float("nan"))
            kind = "monitoring station" if sensor.kind == "reference" else "low-cost sensor"
            reading = f"{label}: {value:.1f} µg/m³ (last month)" if math.isfinite(value) else "no reading yet"
            markers.append(
                {"key": k, "x": x, "y": y, "kind": sensor.kind, "name": sensor.name, "lines": [kind, reading]}
            )
    stations = sum(m["kind"] == "reference" for m in markers)
    sensors = len(markers) - stations
    when = frame.date if frame is not None and frame.month >= 1 else "start"
    return {
        **_base_props(territory),
        "testid": "air-map",
        "layer": pollutant,
        "month": frame.month if frame else 0,
        "title": f"{label} concentration (µg/m³), {when}",
        "image": field_png(frame.fields[pollutant], low, high) if frame is not None else "",
        "zones": [],
        "markers": markers,
        "selected": -1,
        "colorbar": colorbar(f"{label} (µg/m³); WHO guideline {who:g}", "magma_r", low, high, _short(0)),
        "note": f"△ monitoring stations ({stations}), ● low-cost sensors ({sensors}); hover for readings.",
        "attribution": "",
    }


def _short(digits: int) -> Callable[[float], str]:
    return lambda value: f"{value:,.{digits}f}"


SHAPES = ("sea", "labels", "zones", "markers")


def map_payload(props: dict[str, Any]) -> dict[str, Any]:
    """The map's props for the browser: the many shapes travel as one JSON text, which the page's
    renderer does not walk item by item."""
    payload = {key: value for key, value in props.items() if key not in SHAPES}
    payload["shapes"] = json.dumps({key: props[key] for key in SHAPES}, separators=(",", ":"))
    return payload


@solara.component_vue("map.vue")
def MapView(  # noqa: N802
    testid: str,
    layer: str,
    month: int,
    title: str,
    width: float,
    height: float,
    image: str,
    shapes: str,
    selected: int,
    colorbar: dict | None,
    note: str,
    attribution: str,
    event_zone_click: Callable[[int], None] | None = None,
):
    """The map, drawn in the browser (see map.vue); `shapes` is JSON from `map_payload`."""


# --- charts ----------------------------------------------------------------------------------
CHART_W = 320
CHART_H = 190
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 52, 10, 34, 22


def _compact(value: float, spacing: float | None = None) -> str:
    """A short label: 1.9M, 12k, 640, 18.15; with the decimals that `spacing` (between ticks) needs."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    if spacing:
        digits = max(0, min(4, -math.floor(math.log10(spacing))))
        return f"{value:,.{digits}f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def chart_svg(frame: Frame, title: str, lines: Sequence[tuple[str, str, str]]) -> str:
    """One small line chart of metro series over the scenario's horizon, as SVG."""
    months = np.array([row["month"] for row in frame.metro], dtype=float)
    series = [np.array([row.get(name, np.nan) for row in frame.metro], dtype=float) for name, _, _ in lines]
    values = np.concatenate(series) if series and months.size else np.array([])
    values = values[np.isfinite(values)]
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    pad = 0.1 * (high - low) if high > low else max(abs(high) * 0.1, 1.0)
    low, high = low - pad, high + pad
    if values.size and values.min() >= 0:
        low = max(low, 0.0)
    ticks = [t for t in MaxNLocator(4).tick_values(low, high) if low <= t <= high]
    plot_w, plot_h = CHART_W - MARGIN_L - MARGIN_R, CHART_H - MARGIN_T - MARGIN_B
    span = max(frame.months, 1)

    def px(month: float) -> float:
        return MARGIN_L + plot_w * (month - 1) / max(span - 1, 1)

    def py(value: float) -> float:
        return MARGIN_T + plot_h * (1 - (value - low) / (high - low))

    parts = [
        f'<svg viewBox="0 0 {CHART_W} {CHART_H}" class="amp-chart" data-title="{html.escape(title)}" '
        f'data-points="{months.size}" xmlns="http://www.w3.org/2000/svg" font-size="11">',
        f'<text x="{MARGIN_L}" y="14" font-weight="600">{html.escape(title)}</text>',
        f'<rect x="{MARGIN_L}" y="{MARGIN_T}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#bbb"/>',
    ]
    spacing = ticks[1] - ticks[0] if len(ticks) > 1 else None
    for t in ticks:
        y = py(t)
        parts.append(
            f'<line x1="{MARGIN_L}" x2="{MARGIN_L + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
        )
        label = _compact(t, spacing)
        parts.append(f'<text x="{MARGIN_L - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{label}</text>')
    start_year, start_month = (int(p) for p in frame.start.split("-"))
    years = range(start_year + (start_month > 1), start_year + (start_month - 1 + span) // 12 + 1)
    step = max(1, math.ceil(len(years) / 5))
    for year in list(years)[::step]:
        month = (year - start_year) * 12 - start_month + 2
        x = px(month)
        bottom = MARGIN_T + plot_h
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#999"/>')
        parts.append(f'<text x="{x:.1f}" y="{CHART_H - 6}" text-anchor="middle" fill="#555">{year}</text>')
    legend_x = MARGIN_L
    for (_, label, colour), ys in zip(lines, series, strict=True):
        ok = np.isfinite(ys)
        points = " ".join(f"{px(m):.1f},{py(v):.1f}" for m, v in zip(months[ok], ys[ok], strict=True))
        if points:
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
        if len(lines) > 1:
            parts.append(
                f'<text x="{legend_x}" y="{MARGIN_T - 6}" fill="{colour}">{html.escape(label)}</text>'
            )
            legend_x += 9 + 7 * len(label)
    if months.size:
        last = ", ".join(f"{_compact(ys[-1])}" for ys in series)
        right = MARGIN_L + plot_w - 4
        parts.append(f'<text x="{right}" y="{MARGIN_T - 6}" text-anchor="end" fill="#333">{last}</text>')
    else:
        parts.append(
            f'<text x="{MARGIN_L + plot_w / 2}" y="{MARGIN_T + plot_h / 2}" text-anchor="middle" fill="#888">'
            "press Step or Play</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@solara.component
def MetroCharts(frame: Frame | None):  # noqa: N802
    """The metro series, one small chart each, redrawn at every month."""
    if frame is None:
        return solara.Text("")
    svgs = [chart_svg(frame, title, lines) for title, lines in CHARTS]
    body = "".join(f'<div class="amp-chart-cell">{svg}</div>' for svg in svgs)
    return solara.HTML(
        tag="div",
        unsafe_innerHTML=f'<div class="amp-charts" data-month="{frame.month}">{body}</div>',
        attributes={"data-testid": "metro-charts"},
        style="width: 100%",
    )


def zone_figures(frame: Frame | None, territory: Territory, zone: int) -> list[tuple[str, str]]:
    """(label, value) rows for one zone: its census facts, then every indicator of the last month."""
    row = territory.zones.iloc[zone]
    rows = [
        ("INSEE code", str(int(row["insee_code"]))),
        ("Conseil de territoire", str(row["territory"])),
        ("Population (census)", f"{int(row['population']):,}"),
        ("Census unemployment", f"{row['unemployment_rate_pct']:.1f} %"),
    ]
    if frame is None or frame.zone_values is None:
        return [*rows, ("Simulated figures", "after the first month")]
    for name, spec in INDICATORS.items():
        unit = f" ({spec.unit})" if spec.unit else ""
        rows.append((f"{spec.label}{unit}, {frame.date}", format_value(frame.zone_value(zone, name), name)))
    return rows


@solara.component
def ZoneDetails(frame: Frame | None, territory: Territory, zone: int | None, on_close: Callable[[], None]):  # noqa: N802
    """The figures of the zone clicked on the map."""
    if zone is None:
        solara.Text("Click a zone on the map to see all its figures.", style="font-style: italic")
        return
    with solara.Column(gap="4px", classes=["amp-zone-details"]):
        with solara.Row(justify="space-between", style="align-items: center"):
            solara.Text(territory.names[zone], style="font-weight: 600")
            solara.Button("Close", on_click=on_close, text=True)
        cells = "".join(
            f"<tr><td>{html.escape(label)}</td><td style='text-align:right'>{html.escape(value)}</td></tr>"
            for label, value in zone_figures(frame, territory, zone)
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML=cells,
            attributes={"data-testid": "zone-details", "data-zone": str(int(territory.codes[zone]))},
            style="width: 100%; font-size: 13px",
        )
