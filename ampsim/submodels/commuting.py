"""Commuting mode: car or public transport, and the car traffic it puts on the roads.

An employed resident commutes by car with the logit probability

    P(car) = logistic(b0 + b_d ln d_hw + b_y ln(income / metro median) + b_rho ln(density_h / metro)
                      + b_a awareness - transit_bonus_h - lez_penalty_h - lez_penalty_w)

(distance makes the car likelier, so do income and sparse settlement where transit is thin;
air-quality awareness a little less likely). The constant b0 is calibrated at start so that the
metro car share is the observed 75 %. People reconsider their mode when they take a new job and
otherwise now and then (habit). The month's car commuters per home-work zone pair feed road
traffic in the pollution model, so transport policies act on the air.

Residents whose job is outside the metropolis (out-commuters) choose no mode here and are left
out of the car share and of the commuting traffic, as the in-commuters' trips are: most of their
journey lies beyond the boundary, near which they mostly live, and the traffic that crosses it is
part of the pollution model's non-commuting traffic. They are counted by home zone.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange
from scipy.optimize import brentq
from scipy.special import expit

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.world.residents import NO_ZONE, Status
from ampsim.world.view import ModelView


class CommutingParameters(ParameterGroup):
    """Mode choice for the journey to work."""

    car_share: float = parameter(
        0.753,
        unit="share",
        gt=0,
        lt=1,
        source="car share of home-work trips in AMP, 75.3 % in 2020 (ekinos-conseil analysis of "
        "INSEE census mobility 2009-2020)",
        description="metro car share the constant of the logit is calibrated to",
    )
    beta_distance: float = parameter(
        0.8,
        ge=-10,
        le=10,
        unit="logit per ln km",
        source=ASSUMPTION,
        description="effect of the log home-work distance on choosing the car",
    )
    beta_income: float = parameter(
        0.5,
        ge=-10,
        le=10,
        unit="logit per ln(income ratio)",
        source=ASSUMPTION,
        description="effect of log income relative to the metro median",
    )
    beta_density: float = parameter(
        -0.5,
        ge=-10,
        le=10,
        unit="logit per ln(density ratio)",
        source="denser zones have more transit; modelling assumption (no transit supply data)",
        description="effect of the home zone's log density relative to the metro",
    )
    beta_awareness: float = parameter(
        -0.3,
        ge=-10,
        le=10,
        unit="logit per unit awareness",
        source="sensor feedback raises awareness but rarely changes travel (Haddad & de Nazelle "
        "2018; Becker et al. 2021), hence a small value; modelling assumption",
        description="effect of air-quality awareness",
    )
    reconsider_rate: float = parameter(
        1 / 24,
        unit="1/month",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="monthly probability that a worker reconsiders their mode (besides new jobs)",
    )
    trips_per_month: float = parameter(
        42.0,
        le=200,
        unit="one-way trips per month",
        gt=0,
        source="2 trips a day, 21 working days; modelling assumption",
        description="commuting trips per worker and month",
    )


class Commuting(Submodel):
    """Mode choice of the employed and the car commuters per home-work pair."""

    def setup(self, model: ModelView) -> None:
        """Zone tables, the intercept calibrated on the target car share, everybody's first mode."""
        territory = model.territory
        n = territory.n_zones
        density = territory.population / territory.zones["area_km2"].to_numpy()
        metro_density = territory.total_population / territory.zones["area_km2"].sum()
        self.log_distance = np.log(np.maximum(territory.commute_km, 0.5))
        self._by_distance = np.argsort(territory.commute_km, axis=None, kind="stable")
        self._sorted_km = territory.commute_km.ravel()[self._by_distance]
        self._same_commune = territory.commune_codes[:, None] == territory.commune_codes[None, :]
        self.log_density = np.log(density / metro_density)
        self.log_metro_median = float(np.log(np.median(model.residents.income)))
        self.transit_bonus = np.zeros(n)  # transit improvements (logit units)
        self.lez_penalty = np.zeros(n)  # low-emission zones (logit units)
        self.intercept = 0.0
        self.car_commuters = np.zeros((n, n), dtype=np.int64)
        self.commuters = np.zeros((n, n), dtype=np.int64)
        self.out_commuters = np.zeros(n, dtype=np.int64)  # residents working outside, by home zone
        self.reference_car_share = np.zeros(n)  # by home zone, before any policy (see `access_gain`)
        self.assign_initial_modes(model)
        self._record_reference_shares()

    def calibrate_intercept(self, model: ModelView) -> None:
        """Choose b0 so that the expected car share of the current workers in the metropolis is
        the target."""
        r = model.residents
        workers = np.flatnonzero((r.status == Status.EMPLOYED) & (r.work_zone != NO_ZONE))
        utility = self._utility_without_intercept(model, workers)
        self.intercept = brentq(lambda b: expit(b + utility).mean() - self.params.car_share, -20, 20)

    def _utility_without_intercept(self, model: ModelView, workers: np.ndarray) -> np.ndarray:
        r = model.residents
        p = self.params
        home, work = r.zone[workers].astype(np.int64), r.work_zone[workers].astype(np.int64)
        return (
            p.beta_distance * self.log_distance[home, work]
            + p.beta_income * (np.log(np.maximum(r.income[workers], 1.0)) - self.log_metro_median)
            + p.beta_density * self.log_density[home]
            + p.beta_awareness * r.awareness[workers] / 255.0
            - self.transit_bonus[home]
            - self.lez_penalty[home]
            - self.lez_penalty[work]
        )

    def assign_initial_modes(self, model: ModelView) -> None:
        """Everybody employed chooses a mode at the start."""
        self.calibrate_intercept(model)
        self._choose(model, reconsider_rate=1.0)

    def step(self, model: ModelView) -> None:
        self._choose(model, self.params.reconsider_rate)
        if model.month <= 0:  # the spin-up: no policy acts yet
            self._record_reference_shares()

    def _record_reference_shares(self) -> None:
        """Car share of each home zone's commuters without any policy (the metro's where none)."""
        commuters = self.commuters.sum(axis=1).astype(float)
        metro = self.car_share()
        by_home = np.divide(
            self.car_commuters.sum(axis=1), commuters, out=np.full(commuters.size, metro), where=commuters > 0
        )
        self.reference_car_share = by_home

    def access_gain(self) -> np.ndarray | None:
        """Change of the commute's value for each home-work pair since the reference, in logit
        units: the logsum of the binary mode choice, ln(P0 e^-penalty + (1 - P0) e^bonus), with P0
        the home zone's car share before any policy, a transit bonus raising the alternative's
        utility and car penalties (from or to a zone) lowering the car's. None when no policy acts
        on modes, so that the labour market does nothing more."""
        if not self.transit_bonus.any() and not self.lez_penalty.any():
            return None
        car = self.reference_car_share[:, None]
        penalty = self.lez_penalty[:, None] + self.lez_penalty[None, :]
        return np.log(car * np.exp(-penalty) + (1 - car) * np.exp(self.transit_bonus)[:, None])

    def _choose(self, model: ModelView, reconsider_rate: float) -> None:
        r = model.residents
        self.car_commuters[:] = 0
        self.commuters[:] = 0
        self.out_commuters[:] = 0
        mode_choice_kernel(
            model.keys("commuting"),
            r.kernel_view(),
            self._logit(),
            reconsider_rate,
            chunks_for(r.n),
            self.car_commuters,
            self.commuters,
            self.out_commuters,
        )

    def _logit(self) -> ModeChoiceTables:
        p = self.params
        return ModeChoiceTables(
            intercept=self.intercept,
            beta_distance=p.beta_distance,
            beta_income=p.beta_income,
            beta_density=p.beta_density,
            beta_awareness=p.beta_awareness,
            log_distance=self.log_distance,
            log_density=self.log_density,
            log_metro_median=self.log_metro_median,
            transit_bonus=self.transit_bonus,
            lez_penalty=self.lez_penalty,
        )

    def penalise_car(self, zones: np.ndarray, penalty: float) -> None:
        """Lower the car's utility by `penalty` (logit units) for trips from or to the zones (a
        low-emission zone or a traffic restriction; a negative penalty lifts one)."""
        self.lez_penalty[zones] += penalty

    def add_transit_bonus(self, zones: np.ndarray, bonus: float) -> None:
        """Lower the car's utility by `bonus` (logit units) for residents of the zones (better
        transit)."""
        self.transit_bonus[zones] += bonus

    def car_trips_per_month(self, people_per_resident: float) -> np.ndarray:
        """Car commuting trips a month per home-work pair (flattened), in real trips."""
        return self.car_commuters.ravel() * people_per_resident * self.params.trips_per_month

    def car_share(self) -> float:
        total = self.commuters.sum()
        return float(self.car_commuters.sum() / total) if total else 0.0

    def median_commute_km(self) -> float:
        """The median road-like home-work distance of the metropolis's commuters (km)."""
        cumulative = np.cumsum(self.commuters.ravel()[self._by_distance])
        if not cumulative.size or cumulative[-1] == 0:
            return 0.0
        return float(self._sorted_km[np.searchsorted(cumulative, cumulative[-1] / 2)])

    def share_leaving_commune(self) -> float:
        """The share of commuters whose work zone is in another commune (Marseille is one)."""
        total = self.commuters.sum()
        return float(1 - self.commuters[self._same_commune].sum() / total) if total else 0.0


class ModeChoiceTables(NamedTuple):
    """The logit of the car (read-only; see the module's formula)."""

    intercept: float  # b0, calibrated
    beta_distance: float
    beta_income: float
    beta_density: float
    beta_awareness: float
    log_distance: np.ndarray  # (home zone, work zone), ln km
    log_density: np.ndarray  # by home zone, relative to the metro
    log_metro_median: float  # ln of the metro median income
    transit_bonus: np.ndarray  # by zone, logit units
    lez_penalty: np.ndarray  # by zone, logit units


@njit(cache=True, parallel=True)
def mode_choice_kernel(
    key, r, logit, reconsider_rate, n_chunks, car_commuters, commuters, out_commuters
):  # pragma: no cover
    """New workers and those who reconsider choose a mode (`r`: ResidentArrays; `logit`:
    ModeChoiceTables); count commuters per home-work pair, and out-commuters (no work zone, no
    mode) by home zone. Chunks in parallel, each with its own counts, added in chunk order."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    work_zone = r.work_zone
    status = r.status
    months_in_status = r.months_in_status
    income = r.income
    awareness = r.awareness
    car = r.car
    intercept = logit.intercept
    log_metro_median = logit.log_metro_median
    beta_distance = logit.beta_distance
    beta_income = logit.beta_income
    beta_density = logit.beta_density
    beta_awareness = logit.beta_awareness
    log_distance = logit.log_distance
    log_density = logit.log_density
    transit_bonus = logit.transit_bonus
    lez_penalty = logit.lez_penalty
    n_zones = car_commuters.shape[0]
    partial = np.zeros((n_chunks, 2, n_zones, n_zones), dtype=np.int32)  # commuters, by car
    outside = np.zeros((n_chunks, n_zones), dtype=np.int64)
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            if status[i] != 0:  # Status.EMPLOYED
                car[i] = 0
                continue
            h = zone[i]
            w = work_zone[i]
            if w == NO_ZONE:  # working outside the metropolis
                car[i] = 0
                outside[c, h] += 1
                continue
            if months_in_status[i] == 0 or uniform(key, i, 0) < reconsider_rate:
                utility = (
                    intercept
                    + beta_distance * log_distance[h, w]
                    + beta_income * (np.log(max(income[i], 1.0)) - log_metro_median)
                    + beta_density * log_density[h]
                    + beta_awareness * awareness[i] / 255.0
                    - transit_bonus[h]
                    - lez_penalty[h]
                    - lez_penalty[w]
                )
                car[i] = 1 if uniform(key, i, 1) < 1.0 / (1.0 + np.exp(-utility)) else 0
            partial[c, 0, h, w] += 1
            partial[c, 1, h, w] += car[i]
    for c in range(n_chunks):
        commuters += partial[c, 0]
        car_commuters += partial[c, 1]
        out_commuters += outside[c]
