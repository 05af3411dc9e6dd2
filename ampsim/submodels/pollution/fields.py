"""Sources on the grid and the static fields: emission footprints of the industry and the port,
where residents live, commuting paths, and the regime-by-regime convolutions done once per
territory and dispersion parameters."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import fft, ndimage, sparse

from ampsim.submodels.pollution.dispersion import (
    build_kernel,
    wind_regimes,
)
from ampsim.submodels.pollution.parameters import (
    REGIMES,
    SECONDS_PER_YEAR,
    PollutionParameters,
)
from ampsim.world.geometry import points_lambert93_km
from ampsim.world.grid import Grid
from ampsim.world.homes import home_cell_weights
from ampsim.world.population import PopulationParameters
from ampsim.world.residents import Residents
from ampsim.world.territory import Territory, read_data_csv


def load_sources() -> pd.DataFrame:
    """The industrial and port sources of ampsim/data/pollution_sources.csv, with Lambert-93 km."""
    table = read_data_csv("pollution_sources.csv")
    table["x_km"], table["y_km"] = points_lambert93_km(table["lon"].to_numpy(), table["lat"].to_numpy())
    return table


def source_footprint(row: pd.Series, grid: Grid, sub: int = 5) -> np.ndarray:
    """Share of a source's emission in each full-grid cell, (ny, nx): its cell, or a disc."""
    footprint = np.zeros(grid.ny * grid.nx)
    if row["kind"] != "area" or row["radius_km"] <= 0:
        cell = grid.cell_index_at(np.array([row["x_km"]]), np.array([row["y_km"]]))[0]
        if cell < 0:
            raise ValueError(f"pollution source {row['name']} lies outside the grid")
        footprint[cell] = 1.0
        return footprint.reshape(grid.ny, grid.nx)
    step = grid.cell_km / sub
    reach = np.arange(-row["radius_km"], row["radius_km"] + step / 2, step)
    px, py = (a.ravel() for a in np.meshgrid(row["x_km"] + reach, row["y_km"] + reach))
    inside = np.hypot(px - row["x_km"], py - row["y_km"]) <= row["radius_km"]
    cells = grid.cell_index_at(px[inside], py[inside])
    footprint += np.bincount(cells[cells >= 0], minlength=footprint.size)
    return (footprint / footprint.sum()).reshape(grid.ny, grid.nx)


def population_by_cell(territory: Territory) -> np.ndarray:
    """The census residents of each full-grid cell, (ny * nx,), placed as the synthetic
    population's homes are (`world/homes.py`, the default density length)."""
    grid = territory.grid
    weights = home_cell_weights(territory, PopulationParameters().home_density_length)
    return np.bincount(grid.cell_flat[grid.zone_cells], weights, minlength=grid.ny * grid.nx)


def residents_by_cell(grid: Grid, residents: Residents) -> np.ndarray:
    """The real residents of each full-grid cell, (ny * nx,), from the simulated residents' homes."""
    homes = residents.home_cell[residents.present()]
    return np.bincount(grid.cell_flat[homes], minlength=grid.ny * grid.nx) * residents.weight


def nearest_territory_cell(grid: Grid) -> np.ndarray:
    """For every full-grid cell, the flat index of the nearest territory cell (itself if it is one)."""
    outside = grid.zone_of_cell < 0
    _, (rows, cols) = ndimage.distance_transform_edt(outside, return_indices=True)
    return (rows * grid.nx + cols).ravel()


def commute_paths(territory: Territory) -> sparse.csr_matrix:
    """Km driven in each full-grid cell per one-way trip of each home -> work zone pair.

    Shape (ny * nx, n_zones * n_zones), column h * n_zones + w. A trip between two zones drives
    their road-like distance (`territory.commute_km`) along the land path between their centres
    (`world/roads.py`: round the Étang and the gulfs), in equal parts on the path's cells; km on
    cells beyond the territory go to the nearest territory cell. A trip inside a zone drives the
    zone's own commute distance, spread over its cells like its residents.
    """
    grid = territory.grid
    n = territory.n_zones
    roads = territory.roads
    home_of = nearest_territory_cell(grid)
    rows = [home_of[roads.path_cell]]
    cols = [roads.path_pair]
    km = [roads.path_share * territory.commute_km.ravel()[roads.path_pair]]
    people = np.where(grid.cell_priority, 0.0, population_by_cell(territory)[grid.cell_flat])
    zone = grid.cell_zone
    share = people / np.bincount(zone, people, minlength=n)[zone]  # a cell's QPV part is in the cell
    rows.append(grid.cell_flat)
    cols.append(zone.astype(np.int64) * (n + 1))
    km.append(share * np.diagonal(territory.commute_km)[zone])
    matrix = sparse.coo_matrix(
        (np.concatenate(km), (np.concatenate(rows), np.concatenate(cols))), shape=(grid.ny * grid.nx, n * n)
    )
    return matrix.tocsr()


def weighted_sum(weights: np.ndarray, arrays: np.ndarray) -> np.ndarray:
    """sum_k weights[k] x arrays[k] over the first axis, in NumPy's own loops rather than BLAS:
    multithreaded BLAS leaves its threads spinning after each call, and they would take the cores
    from the parallel kernels that run next."""
    return np.einsum("k,k...->...", weights, arrays)


def full_convolution(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The full linear convolution of two 2-D arrays by real FFTs, as scipy.signal.fftconvolve
    computes it (importing scipy.signal would add most of a second to every start)."""
    shape = (a.shape[0] + b.shape[0] - 1, a.shape[1] + b.shape[1] - 1)
    padded = tuple(fft.next_fast_len(d, real=True) for d in shape)
    full = fft.irfft2(fft.rfft2(a, padded) * fft.rfft2(b, padded), padded)
    return full[: shape[0], : shape[1]]


class Convolver:
    """Linear convolution of (ny, nx) grids with (2R+1)^2 kernels through real FFTs of a fixed shape."""

    def __init__(self, ny: int, nx: int, radius: int):
        self.ny, self.nx, self.radius = ny, nx, radius
        self.shape = (
            fft.next_fast_len(ny + 2 * radius, real=True),
            fft.next_fast_len(nx + 2 * radius, real=True),
        )

    def transform(self, array: np.ndarray) -> np.ndarray:
        return fft.rfft2(array, s=self.shape)

    def inverse(self, spectrum: np.ndarray) -> np.ndarray:
        """Back to the grid: the 'same'-size part of the full convolution."""
        full = fft.irfft2(spectrum, s=self.shape)
        r = self.radius
        return full[r : r + self.ny, r : r + self.nx]


@dataclass(frozen=True)
class StaticFields:
    """What does not change from month to month (read-only): the spectra of the ground-level kernels
    that spread the month's traffic and heating, and the unit fields of the industrial and port
    sources, per wind regime."""

    convolver: Convolver
    ground_nox_spectra: np.ndarray  # (regimes, ...) FFT of the ground-level NOx kernel
    ground_pm_spectra: np.ndarray
    source_nox: np.ndarray  # (regimes, sources, ny, nx) NOx per t/yr of NOx
    source_pm: np.ndarray  # (regimes, sources, ny, nx) particles per t/yr of particles
    source_so2: np.ndarray  # (regimes, sources, ny, nx) SO2 per t/yr of SO2


# The parameters the static fields depend on (wind regimes, dispersion); tests/test_pollution.py
# checks that building them reads no other parameter.
STATIC_FIELD_PARAMETERS = (
    *(f"{regime}_{what}" for regime in REGIMES for what in ("speed", "mixing_height", "stability")),
    "mistral_from_deg",
    "sea_breeze_from_deg",
    "wind_direction_spread_deg",
    "kernel_radius_km",
    "ground_dispersion_factor",
    "initial_vertical_spread",
    "nox_loss_per_hour",
    "pm_loss_per_hour",
    "so2_loss_per_hour",
)


def static_fields(territory: Territory, params: PollutionParameters) -> StaticFields:
    """Kernels per regime and height convolved with the static sources, shared between runs.

    Building them costs about a second, more than a small run's whole simulation; they depend only
    on the (read-only) territory and STATIC_FIELD_PARAMETERS, so a sweep over, say, emissions or
    the background reuses them.
    """
    key = tuple(getattr(params, name) for name in STATIC_FIELD_PARAMETERS)
    return _cached_static_fields(territory, key)


@functools.lru_cache(maxsize=2)
def _cached_static_fields(territory: Territory, key: tuple) -> StaticFields:
    return build_static_fields(
        territory, PollutionParameters.model_construct(**dict(zip(STATIC_FIELD_PARAMETERS, key, strict=True)))
    )


def build_static_fields(territory: Territory, params: PollutionParameters) -> StaticFields:
    """Build the static fields (uncached)."""
    grid, sources, regimes = territory.grid, load_sources(), wind_regimes(params)
    heights = sorted({float(h) for h in sources["effective_height_m"]})
    kernels = {(r.name, h): build_kernel(r, h, grid.cell_km, params) for r in regimes for h in heights}
    ground = [build_kernel(r, 0.0, grid.cell_km, params, params.ground_dispersion_factor) for r in regimes]
    convolver = Convolver(grid.ny, grid.nx, ground[0].radius)

    def convolve(emission: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        """A static emission grid convolved with a kernel, clipped at zero (FFT round-off)."""
        r = kernel.shape[0] // 2
        return np.maximum(full_convolution(emission, kernel)[r : r + grid.ny, r : r + grid.nx], 0.0)

    unit = {name: np.zeros((len(regimes), len(sources), grid.ny, grid.nx)) for name in ("nox", "pm", "so2")}
    tonnes = 1e6 / SECONDS_PER_YEAR  # g/s per t/yr
    for s, row in sources.iterrows():
        footprint = source_footprint(row, grid) * tonnes
        for r, regime in enumerate(regimes):
            kernel = kernels[(regime.name, float(row["effective_height_m"]))]
            for name, field in unit.items():
                field[r, s] = convolve(footprint, getattr(kernel, name))
    fields = StaticFields(
        convolver=convolver,
        ground_nox_spectra=np.stack([convolver.transform(k.nox) for k in ground]),
        ground_pm_spectra=np.stack([convolver.transform(k.pm) for k in ground]),
        source_nox=unit["nox"],
        source_pm=unit["pm"],
        source_so2=unit["so2"],
    )
    for value in vars(fields).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    return fields
