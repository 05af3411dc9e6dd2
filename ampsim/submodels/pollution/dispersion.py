"""Dispersion physics: wind regimes, Briggs urban plumes under a mixing lid, and the ground-level
response kernels of a unit source for each regime and release height."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ampsim.submodels.pollution.parameters import (
    PollutionParameters,
)


@dataclass(frozen=True)
class WindRegime:
    """One wind regime: speed, mixing height, stability class and a rose of directions."""

    name: str
    speed: float  # m/s
    mixing_height: float  # m
    stability: int  # Pasquill class 1..6
    toward_deg: np.ndarray  # directions the wind blows towards, degrees from north
    weight: np.ndarray  # share of the regime's time in each direction
    step_deg: float  # spacing of the directions; each is smoothed over its own sector

    @classmethod
    def directional(
        cls, name: str, speed: float, height: float, stability: int, from_deg: float, spread_deg: float
    ) -> WindRegime:
        """A regime around one direction, discretised every 5 degrees over +-2.5 spreads."""
        offsets = np.arange(-2.5 * spread_deg, 2.5 * spread_deg + 1e-9, 5.0)
        weight = np.exp(-0.5 * (offsets / spread_deg) ** 2)
        toward = (from_deg + 180.0 + offsets) % 360
        return cls(name, speed, height, stability, toward, weight / weight.sum(), 5.0)

    @classmethod
    def isotropic(cls, name: str, speed: float, height: float, stability: int) -> WindRegime:
        """A regime whose direction varies evenly over the compass (every 10 degrees)."""
        return cls(name, speed, height, stability, np.arange(0.0, 360.0, 10.0), np.full(36, 1 / 36), 10.0)


def wind_regimes(params: PollutionParameters) -> list[WindRegime]:
    """The four regimes in the order of REGIMES."""
    p = params
    return [
        WindRegime.directional(
            "mistral",
            p.mistral_speed,
            p.mistral_mixing_height,
            p.mistral_stability,
            p.mistral_from_deg,
            p.wind_direction_spread_deg,
        ),
        WindRegime.directional(
            "sea_breeze",
            p.sea_breeze_speed,
            p.sea_breeze_mixing_height,
            p.sea_breeze_stability,
            p.sea_breeze_from_deg,
            p.wind_direction_spread_deg,
        ),
        WindRegime.isotropic("calm", p.calm_speed, p.calm_mixing_height, p.calm_stability),
        WindRegime.isotropic("moderate", p.moderate_speed, p.moderate_mixing_height, p.moderate_stability),
    ]


def regime_weights(
    params: PollutionParameters, calendar_month: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Share of the month spent in each regime; with `rng`, the Mistral share varies at random.

    The random Mistral share is log-normal around the climatology (capped at 0.9) and the other
    three regimes keep their proportions in the rest of the month.
    """
    m = calendar_month - 1
    mistral, breeze, calm = (
        params.mistral_frequency[m],
        params.sea_breeze_frequency[m],
        params.calm_frequency[m],
    )
    shares = np.array([mistral, breeze, calm, max(0.0, 1.0 - mistral - breeze - calm)])
    if rng is not None and params.interannual_mistral_sd > 0:
        sd = params.interannual_mistral_sd
        drawn = min(0.9, mistral * math.exp(sd * rng.standard_normal() - 0.5 * sd * sd))
        shares[1:] *= (1.0 - drawn) / max(1.0 - mistral, 1e-12)
        shares[0] = drawn
    return shares / shares.sum()


def briggs_sigmas(x_m: np.ndarray, stability: int) -> tuple[np.ndarray, np.ndarray]:
    """Briggs urban sigma_y and sigma_z (m) at downwind distance x (m) for a Pasquill class."""
    if stability <= 2:
        return 0.32 * x_m / np.sqrt(1 + 0.0004 * x_m), 0.24 * x_m * np.sqrt(1 + 0.001 * x_m)
    if stability == 3:
        return 0.22 * x_m / np.sqrt(1 + 0.0004 * x_m), 0.20 * x_m
    if stability == 4:
        return 0.16 * x_m / np.sqrt(1 + 0.0004 * x_m), 0.14 * x_m / np.sqrt(1 + 0.0003 * x_m)
    return 0.11 * x_m / np.sqrt(1 + 0.0004 * x_m), 0.08 * x_m / np.sqrt(1 + 0.0015 * x_m)


def vertical_factor(sigma_z: np.ndarray, height: float, mixing: float) -> np.ndarray:
    """Ground-level vertical term (1/m) with reflections at the ground and the mixing lid.

    sigma_z is capped at 1.6 x the mixing height, where the image sum equals 1/mixing height
    (uniform mixing). A release at or above the lid does not reach the ground.
    """
    if height >= mixing:
        return np.zeros_like(sigma_z)
    sz = np.minimum(sigma_z, 1.6 * mixing)
    spread = 2 * sz**2
    # images at 2 n mixing -/+ height, n = -3..3: their squared distances come in equal pairs
    squares = Counter((2 * n * mixing + sign * height) ** 2 for n in range(-3, 4) for sign in (-1, 1))
    total = np.zeros_like(sz)
    for square, count in squares.items():
        total += count * np.exp(-square / spread)
    return total / (math.sqrt(2 * math.pi) * sz)


@dataclass(frozen=True)
class Kernel:
    """Ground-level response (µg/m³ per g/s) of a cell to a source cell, on cell offsets."""

    nox: np.ndarray  # NOx emitted -> NOx concentration, (2R+1, 2R+1)
    pm: np.ndarray  # particles emitted -> particle concentration
    so2: np.ndarray  # SO2 emitted -> SO2 concentration

    @property
    def radius(self) -> int:
        return self.nox.shape[0] // 2


def kernel_samples(radius: int, near: int = 3, sub: int = 8) -> tuple[np.ndarray, ...]:
    """Offsets (cells) of the points where a kernel is evaluated, their weights and target cells.

    Far cells are sampled at their centre; cells within `near` of the source average `sub` x `sub`
    source points against `sub` x `sub` receptor points (triangular weights on the differences).
    """
    offsets = np.arange(-radius, radius + 1)
    dy, dx = (a.ravel().astype(float) for a in np.meshgrid(offsets, offsets, indexing="ij"))
    target = np.arange(dx.size)
    is_near = (np.abs(dx) <= near) & (np.abs(dy) <= near)
    steps = np.arange(-(sub - 1), sub)
    triangle = (sub - np.abs(steps)) / sub**2
    sy, sx = (a.ravel() / sub for a in np.meshgrid(steps, steps, indexing="ij"))
    sw = np.outer(triangle, triangle).ravel()
    return (
        np.concatenate([dx[~is_near], (dx[is_near][:, None] + sx[None, :]).ravel()]),
        np.concatenate([dy[~is_near], (dy[is_near][:, None] + sy[None, :]).ravel()]),
        np.concatenate([np.ones(int((~is_near).sum())), np.tile(sw, int(is_near.sum()))]),
        np.concatenate([target[~is_near], np.repeat(target[is_near], sw.size)]),
    )


def plume(
    along_m: np.ndarray,
    cross_m: np.ndarray,
    regime: WindRegime,
    height: float,
    params: PollutionParameters,
    lateral_floor_m: float,
) -> np.ndarray:
    """Ground-level concentration (µg/m³) downwind of a 1 g/s release, Gaussian plume with a lid.

    The lateral spread adds the Briggs sigma_y, the width of the direction's sector (0.6 x its
    step, so that neighbouring directions overlap) and a floor for sub-cell sources.
    """
    sigma_y, sigma_z = briggs_sigmas(along_m, regime.stability)
    sector = 0.6 * math.radians(regime.step_deg) * along_m
    sigma_y = np.sqrt(sigma_y**2 + sector**2 + lateral_floor_m**2)
    sigma_z = np.sqrt(sigma_z**2 + params.initial_vertical_spread**2)
    lateral = np.exp(-0.5 * (cross_m / sigma_y) ** 2) / (math.sqrt(2 * math.pi) * sigma_y)
    return 1e6 / regime.speed * lateral * vertical_factor(sigma_z, height, regime.mixing_height)


def build_kernel(
    regime: WindRegime, height: float, cell_km: float, params: PollutionParameters, factor: float = 1.0
) -> Kernel:
    """The regime's kernel for releases at `height` metres: plumes summed over its wind rose, x factor.

    The kernel fades smoothly to zero over the last quarter of its radius.
    """
    sub = 8
    radius = max(1, round(params.kernel_radius_km / cell_km))
    dx, dy, weight, target = kernel_samples(radius, sub=sub)
    dx_m, dy_m = dx * cell_km * 1000.0, dy * cell_km * 1000.0
    loss = {"nox": params.nox_loss_per_hour, "pm": params.pm_loss_per_hour, "so2": params.so2_loss_per_hour}
    response = {name: np.zeros(dx.size) for name in loss}
    for toward, share in zip(regime.toward_deg, regime.weight, strict=True):
        theta = math.radians(toward)
        ex, ey = math.sin(theta), math.cos(theta)
        along = dx_m * ex + dy_m * ey
        down = along > 0
        x = along[down]
        value = share * plume(
            x, (dy_m * ex - dx_m * ey)[down], regime, height, params, cell_km * 1000.0 / sub
        )
        hours = x / regime.speed / 3600.0
        for name, rate in loss.items():
            response[name][down] += value * np.exp(-rate * hours)
    side = 2 * radius + 1
    distance = np.hypot(dx, dy)
    taper = np.clip((radius - distance) / (0.25 * radius), 0.0, 1.0)  # fade out over the last quarter
    scale = factor * weight * taper * taper * (3 - 2 * taper)
    cells = side * side
    grids = {
        name: np.bincount(target, scale * values, minlength=cells).reshape(side, side)
        for name, values in response.items()
    }
    return Kernel(**grids)
