"""Housing costs: who rents and what rent, and the housing-benefit (APL) zone of each commune.

Each household is an owner-occupier, a private tenant (empty or furnished), a social (HLM) tenant
or housed free, drawn from the census shares of its zone type (Marseille's arrondissements or the
other communes). Owners and people housed free pay no rent in the tax-benefit calculator; INSEE's
disposable income does not count owners' housing costs either. A tenant's monthly rent is

    rent = surface(household size) x rent per m2 (sector, zone) x index_z / index_z(start)

with the private rent per m2 of Marseille, Aix-en-Provence or the other communes (observatoire
local des loyers), the social rent per m2 of the region (RPLS), and the housing submodel's rent
index of the zone relative to its start (social rents do not follow it by default: they are
regulated). See docs/PENSIONS_AND_RENTS.md.
"""

from __future__ import annotations

import functools
from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from ampsim.core.checks import finite_array, whole_array
from ampsim.core.errors import InputError
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Share, parameter
from ampsim.world.territory import MARSEILLE_CODE, Territory, read_data_csv

AIX_CODE = 13001
MAX_SURFACE_PERSONS = 6  # surfaces stop growing past six people (the census's last size class)


class Tenure(IntEnum):
    """Occupancy status of a household's main residence (the census's categories, merged)."""

    OWNER = 0
    PRIVATE = 1  # tenant of a private landlord, empty or furnished
    SOCIAL = 2  # tenant of a social (HLM) landlord
    FREE = 3  # housed free of charge


class RentArea(IntEnum):
    """Which private rent per m2 a zone takes."""

    MARSEILLE = 0
    AIX = 1
    OTHER = 2


_AIX_ARR_2010 = (
    "INSEE, census 2010, PRINC2, arrondissement of Aix-en-Provence (131, the metropolis outside "
    "Marseille's own arrondissement): 97,556 owners, 46,094 empty-let private and 9,109 furnished "
    "tenants, 19,320 HLM tenants, 6,599 housed free of 178,678 main residences "
    "(https://www.insee.fr/fr/statistiques/2044354?geo=ARR-131)"
)
_MARSEILLE_DERIVED = (
    "derived: Bouches-du-Rhône 2012 owners 51 %, tenants 46 %, others 3 % (INSEE RP2012 via the "
    "PDALHPD 13 2016-2020) minus the arrondissement of Aix (row above) weighted 0.543, Marseille "
    "weighted 0.457 (its share of the metropolis's 2023 population, zones.csv): owners 46.7 %, "
    "housed free 2.2 %; social 17.9 % = social dwellings per 100 main residences of the "
    "metropolis on 1 Jan 2025 (RPLS, DREAL PACA, https://dreal.statistiques.developpement-"
    "durable.gouv.fr/parc_social/2025/paca/evolparc.html), applied to Marseille (assumption); "
    "private tenants the rest. INSEE's LOG T7 for Marseille was not found"
)
_ODL_2021 = (
    "Observatoire départemental des loyers (ADIL 13, FNAIM), private rents of 2021, median EUR/m2 "
    "excluding charges (nouvellespublications.com, francebleu.fr, Mar 2022)"
)


class HousingCostParameters(ParameterGroup):
    """Tenure shares, rents per m2 and surfaces."""

    tenure_marseille: tuple[Share, Share, Share, Share] = parameter(
        (0.467, 0.332, 0.179, 0.022),
        unit="1",
        source=_MARSEILLE_DERIVED,
        description="shares of owners, private tenants, social tenants and housed free in "
        "Marseille's arrondissements",
    )
    tenure_other: tuple[Share, Share, Share, Share] = parameter(
        (0.546, 0.309, 0.108, 0.037),
        unit="1",
        source=_AIX_ARR_2010,
        description="the same in the other communes",
    )
    private_rent_marseille: float = parameter(
        12.2,
        unit="EUR/m2/month",
        ge=1.0,
        le=50.0,
        source=f"{_ODL_2021}: Marseille 12.2",
        description="private rent per m2 in Marseille",
    )
    private_rent_aix: float = parameter(
        15.2,
        unit="EUR/m2/month",
        ge=1.0,
        le=50.0,
        source=f"{_ODL_2021}: Aix-en-Provence 15.2 for an apartment (15.0 in 2020)",
        description="private rent per m2 in Aix-en-Provence",
    )
    private_rent_other: float = parameter(
        12.7,
        unit="EUR/m2/month",
        ge=1.0,
        le=50.0,
        source=f"{_ODL_2021}: the metropolis 12.7 (12.9 in 2023, ADIL 13 via methys-patrimoine.fr); "
        "taken for the other communes (assumption: from 9-10.5 in the west to 15-17 at Cassis and "
        "on the Côte Bleue)",
        description="private rent per m2 in the other communes",
    )
    social_rent: float = parameter(
        6.3,
        unit="EUR/m2/month",
        ge=1.0,
        le=30.0,
        source="RPLS 1 Jan 2023, Provence-Alpes-Côte d'Azur: mean social rent 6.3 EUR/m2 of living "
        "area (DREAL PACA, https://dreal.statistiques.developpement-durable.gouv.fr/parc_social/"
        "2023/paca/synthèse.html); regional",
        description="social (HLM) rent per m2",
    )
    first_person_surface: float = parameter(
        36.0,
        unit="m2",
        ge=9.0,
        le=200.0,
        source="fitted line through the mean rented apartment of 52 m2 (private) and 64 m2 (social) "
        "of INSEE's enquête Logement 2024 (France; same surface per person in both sectors), at "
        "assumed mean sizes of 1.8 and 2.4 people",
        description="surface of a one-person tenant household",
    )
    extra_person_surface: float = parameter(
        20.0,
        unit="m2 per person",
        ge=0.0,
        le=100.0,
        source="the slope of the same line: (64 - 52) / (2.4 - 1.8)",
        description="surface added by each further member (up to six people)",
    )
    social_rent_follows_index: bool = parameter(
        False,
        unit="flag",
        source=ASSUMPTION + " (social rents are regulated, not market rents)",
        description="whether social rents move with the zone's market rent index",
    )


class RentTable(NamedTuple):
    """What the Numba functions read: tenure CDFs per tenure area (Marseille, other), private
    rent per m2 per rent area, the social rent per m2 and the surface line."""

    tenure_cdf: np.ndarray  # float64 (2, 4): cumulative tenure shares, Marseille and other
    private_rent: np.ndarray  # float64 (3,): by RentArea
    social_rent: float
    first_surface: float
    extra_surface: float
    social_indexed: bool


def rent_table(params: HousingCostParameters | None = None) -> RentTable:
    """The table from the parameters; tenure shares must add up to 1 (within 0.5 %)."""
    params = params or HousingCostParameters()
    shares = np.array([params.tenure_marseille, params.tenure_other], dtype=np.float64)
    for name, row in zip(("tenure_marseille", "tenure_other"), shares, strict=True):
        if abs(row.sum() - 1.0) > 0.005:
            raise InputError(f"{name}: expected shares adding up to 1, got {row.sum():.3f}")
    cdf = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    cdf[:, -1] = 1.0
    rents = (params.private_rent_marseille, params.private_rent_aix, params.private_rent_other)
    return RentTable(
        tenure_cdf=np.ascontiguousarray(cdf),
        private_rent=np.array(rents, dtype=np.float64),
        social_rent=float(params.social_rent),
        first_surface=float(params.first_person_surface),
        extra_surface=float(params.extra_person_surface),
        social_indexed=bool(params.social_rent_follows_index),
    )


# --- zones -----------------------------------------------------------------------------------
@functools.cache
def _apl_zones() -> dict[int, int]:
    """INSEE code -> APL zone of the metropolis's 92 communes (apl_zones.csv)."""
    table = read_data_csv("apl_zones.csv")
    return dict(zip(table["insee_code"].astype(int), table["apl_zone"].astype(int), strict=True))


def apl_zone(insee_code: int) -> int:
    """Housing-benefit zone (1, 2 or 3) of a commune or Marseille arrondissement of the
    metropolis, by INSEE code (arrondissements take Marseille's zone)."""
    if isinstance(insee_code, bool) or not isinstance(insee_code, int | np.integer):
        raise InputError(f"insee_code: expected a whole INSEE code, got {insee_code!r}")
    code = int(insee_code)
    if 13201 <= code <= 13216:
        code = MARSEILLE_CODE
    zones = _apl_zones()
    if code not in zones:
        raise InputError(f"insee_code: {insee_code} is not a commune of the metropolis")
    return zones[code]


def zone_apl_zones(territory: Territory) -> np.ndarray:
    """APL zone of each model zone (int64, one per zone)."""
    return np.array([apl_zone(int(code)) for code in territory.codes], dtype=np.int64)


def zone_areas(territory: Territory) -> tuple[np.ndarray, np.ndarray]:
    """Per model zone: whether it is one of Marseille's arrondissements (bool) and its RentArea."""
    codes = territory.codes
    marseille = (codes // 100) == 132
    area = np.where(marseille, RentArea.MARSEILLE, np.where(codes == AIX_CODE, RentArea.AIX, RentArea.OTHER))
    return marseille, area.astype(np.int64)


# --- the Numba functions ---------------------------------------------------------------------
@njit(cache=True)
def draw_tenure(u: float, marseille: bool, table: RentTable) -> int:
    """Tenure of a household from one uniform: the first tenure whose cumulative share exceeds
    u in the household's tenure area. Pure; inputs are assumed valid."""
    row = table.tenure_cdf[0 if marseille else 1]
    for tenure in range(row.size):
        if u < row[tenure]:
            return tenure
    return row.size - 1


@njit(cache=True)
def dwelling_surface(size: int, table: RentTable) -> float:
    """Surface of a tenant household's dwelling, m2: the line in the household size, flat past
    six people."""
    n = min(max(size, 1), MAX_SURFACE_PERSONS)
    return table.first_surface + table.extra_surface * (n - 1)


@njit(cache=True)
def household_rent(tenure: int, size: int, area: int, index_ratio: float, table: RentTable) -> float:
    """Monthly rent (EUR, charges excluded): 0 for owners and people housed free; surface x rent
    per m2 x the zone's rent index relative to its start for tenants."""
    if tenure == 1:
        return dwelling_surface(size, table) * table.private_rent[area] * index_ratio
    if tenure == 2:
        ratio = index_ratio if table.social_indexed else 1.0
        return dwelling_surface(size, table) * table.social_rent * ratio
    return 0.0


@njit(cache=True)
def _tenures(u, marseille, table, out):
    for i in range(out.size):
        out[i] = draw_tenure(u[i], marseille[i], table)


@njit(cache=True)
def _rents(tenure, size, area, ratio, table, out):
    for i in range(out.size):
        out[i] = household_rent(tenure[i], size[i], area[i], ratio[i], table)


# --- NumPy wrappers --------------------------------------------------------------------------
def draw_tenures(u: np.ndarray, zone: np.ndarray, territory: Territory, table: RentTable) -> np.ndarray:
    """Tenure of each household (int64, `Tenure` values) from one uniform each and its zone
    index; bad input raises ValueError naming the argument."""
    uniforms = finite_array(u, "u", 0.0, 1.0)
    zones = _zones(zone, territory, uniforms.size)
    marseille, _ = zone_areas(territory)
    out = np.empty(uniforms.size, dtype=np.int64)
    _tenures(uniforms, np.ascontiguousarray(marseille[zones]), table, out)
    return out


def monthly_rents(
    tenure: np.ndarray,
    household_size: np.ndarray,
    zone: np.ndarray,
    territory: Territory,
    table: RentTable,
    rent_index: np.ndarray | None = None,
    initial_index: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly rent of each household (float64, EUR): `rent_index` is the housing submodel's
    index per zone (1 everywhere when None), taken relative to `initial_index` (its start)."""
    tenures = whole_array(tenure, "tenure", 0, len(Tenure) - 1)
    n = tenures.size
    sizes = whole_array(household_size, "household_size", 1, 255)
    zones = _zones(zone, territory, n)
    if sizes.size != n:
        raise InputError(f"household_size: expected {n} values (one per household), got {sizes.size}")
    ratio = _index_ratio(rent_index, initial_index, territory.n_zones)
    _, area = zone_areas(territory)
    out = np.empty(n, dtype=np.float64)
    _rents(tenures, sizes, np.ascontiguousarray(area[zones]), np.ascontiguousarray(ratio[zones]), table, out)
    return out


def _index_ratio(rent_index, initial_index, n_zones: int) -> np.ndarray:
    """The rent index of each zone over its start (ones when no index is given)."""
    index = np.ones(n_zones) if rent_index is None else finite_array(rent_index, "rent_index", 1e-6, 1e6)
    start = (
        np.ones(n_zones) if initial_index is None else finite_array(initial_index, "initial_index", 1e-6, 1e6)
    )
    for name, array in (("rent_index", index), ("initial_index", start)):
        if array.size != n_zones:
            raise InputError(f"{name}: expected {n_zones} values (one per zone), got {array.size}")
    return index / start


def _zones(zone, territory: Territory, n: int) -> np.ndarray:
    """Zone indices as int64, one per household, or a one-line ValueError."""
    zones = whole_array(zone, "zone", 0, territory.n_zones - 1)
    if zones.size != n:
        raise InputError(f"zone: expected {n} values (one per household), got {zones.size}")
    return zones
