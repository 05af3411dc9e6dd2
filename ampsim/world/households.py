"""Households formed from the census household structure: residents of each zone grouped so that
the shares of one-person, couple, family, single-parent and other households and the mean size
match the zone's census figures, with plausible ages inside every household.

One Numba kernel per zone (in `ampsim/world/household_kernels.py`): it picks which adults still
live with their parents (as many as the census mean size requires), cuts the dependants into
sibships, finds each sibship a parent of a plausible age (and a partner for couples), then forms
childless couples, other households and one-person households from the adults left. Every draw
comes from pre-drawn uniforms, one row per resident, so the result depends on the random input
only, whatever the number of threads. See docs/HOUSEHOLDS.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ampsim.core.errors import InputError
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Share, parameter
from ampsim.world.household_kernels import (
    ADULT_AGE,
    MAX_AGE,
    N_UNIFORMS,
    HouseholdKind,
    form_all_zones,
)
from ampsim.world.residents import Sex, Status
from ampsim.world.territory import Territory, read_data_csv

CHILD_UC_AGE = 14  # modified OECD scale: under 14 counts 0.3
_SHARE_COLUMNS = (
    "one_person_pct",
    "couple_no_children_pct",
    "couple_with_children_pct",
    "single_parent_pct",
    "other_pct",
)
_TERRITORY_ROWS = {  # conseil de territoire -> row of households.csv (proxy for the INSEE area)
    "Marseille-Provence": "marseille_employment_zone",
    "Pays d'Aubagne et de l'Étoile": "marseille_employment_zone",
    "Pays d'Aix": "aix_living_area",
}
_ZONE_ROWS = {13208: "marseille_8e", 13214: "marseille_14e"}  # zones with their own figures
_DEFAULT_ROW = "paca"
_REFERENCE_ROW = "marseille_employment_zone"  # completes rows that give only some shares


class HouseholdParameters(ParameterGroup):
    """Choices made when grouping residents into households."""

    students_at_home: float = parameter(
        0.32,
        unit="1",
        ge=0.0,
        le=1.0,
        source="OVE 'Conditions de vie des étudiants' 2013: 32 % of students live with their parents "
        "(22-32 % in large provincial towns), via MESR 'L'état de l'enseignement supérieur' no. 8, "
        "sheet 15",
        description="share of students aged 18-24 who live with their parents",
    )
    at_home_weight_18_29: tuple[Share, ...] = parameter(
        (0.721, 0.608, 0.511, 0.433, 0.373, 0.313, 0.265, 0.207, 0.161, 0.138, 0.108, 0.094),
        unit="1",
        min_length=12,
        max_length=12,
        source="INSEE Flash Nouvelle-Aquitaine no. 21 (2017), census: share living with their "
        "parents at each age 18 to 29 (https://www.insee.fr/fr/statistiques/2573899)",
        description="relative weight of each age 18-29 when choosing the other adults who live "
        "with their parents",
    )
    at_home_weight_30_39: float = parameter(
        0.02,
        unit="1",
        ge=0.0,
        le=1.0,
        source="INSEE Première no. 1686 (2018), as reported in the press: about 2 % still live "
        "with their parents at 30",
        description="the same weight for ages 30-39 (none older)",
    )
    mothers_among_single_parents: float = parameter(
        0.767,
        unit="1",
        ge=0.0,
        le=1.0,
        source="derived from INSEE census 2021, Marseille employment zone: single mothers 17.1 % "
        "and fathers 5.2 % of single-family households",
        description="share of single parents who are mothers",
    )
    parent_gap_min: int = parameter(
        16,
        unit="years",
        ge=12,
        le=30,
        source=ASSUMPTION,
        description="a parent is at least this much older than each of the children",
    )
    parent_gap_max: int = parameter(
        50,
        unit="years",
        ge=30,
        le=70,
        source=ASSUMPTION,
        description="and at most this much older",
    )
    parent_gap_mean: float = parameter(
        30.0,
        unit="years",
        ge=16.0,
        le=50.0,
        source="modelling assumption, near INSEE's mean age of mothers at childbirth (about 31 "
        "years in France in the 2020s)",
        description="wanted age of the mother minus the mean age of the children",
    )
    parent_gap_spread: float = parameter(
        6.0,
        unit="years",
        ge=0.0,
        le=20.0,
        source=ASSUMPTION,
        description="half-width of the uniform spread around that gap",
    )
    couple_gap_mean: float = parameter(
        2.0,
        unit="years",
        ge=-10.0,
        le=10.0,
        source="modelling assumption (men are on average a few years older than their partner)",
        description="wanted age of the man minus the age of the woman in a couple",
    )
    couple_gap_spread: float = parameter(
        4.0,
        unit="years",
        ge=0.0,
        le=20.0,
        source=ASSUMPTION,
        description="half-width of the uniform spread around that gap",
    )
    couple_gap_min: int = parameter(
        -5,
        unit="years",
        ge=-30,
        le=0,
        source=ASSUMPTION,
        description="the man is at least this much older than the woman (negative: younger)",
    )
    couple_gap_max: int = parameter(
        10,
        unit="years",
        ge=0,
        le=30,
        source=ASSUMPTION,
        description="and at most this much older",
    )
    sibling_spread: float = parameter(
        4.0,
        unit="years",
        ge=0.0,
        le=15.0,
        source=ASSUMPTION,
        description="half-width of the noise on ages when dependants are sorted into sibships",
    )


@dataclass(frozen=True, eq=False)
class Composition:
    """Census household structure of every zone: `shares` (zones x 5, fractions in
    `HouseholdKind` order), `mean_size` (people per household) and the data row used."""

    shares: np.ndarray
    mean_size: np.ndarray
    row: tuple[str, ...]

    @property
    def n_zones(self) -> int:
        return int(self.mean_size.size)


@dataclass(frozen=True, eq=False)
class Households:
    """Households as typed arrays; household h's residents are
    `members[offsets[h]:offsets[h + 1]]` (indices into the residents' arrays)."""

    zone: np.ndarray  # uint8
    kind: np.ndarray  # uint8, HouseholdKind
    adults: np.ndarray  # uint8: members aged 18 or more
    children_under_14: np.ndarray  # uint8
    members_14_plus: np.ndarray  # uint8
    offsets: np.ndarray  # int64, n + 1
    members: np.ndarray  # int32, one entry per resident

    @property
    def n(self) -> int:
        """Number of households."""
        return int(self.kind.size)

    @property
    def size(self) -> np.ndarray:
        """Members per household."""
        return np.diff(self.offsets)


def reference_rows() -> pd.DataFrame:
    """households.csv completed: a missing 'other' share is 100 minus the rest; rows that give
    only one-person and single-parent shares take the three other shares of the Marseille
    employment zone, rescaled to fill the remainder (modelling assumption); a missing mean size
    is people in households / households."""
    table = read_data_csv("households.csv").set_index("row")
    reference = table.loc[_REFERENCE_ROW, list(_SHARE_COLUMNS)].astype(float)
    for name, row in table.iterrows():
        shares = row[list(_SHARE_COLUMNS)].astype(float)
        if shares.isna().all():
            continue
        missing = shares.isna()
        rest = 100.0 - shares[~missing].sum()
        fill = reference[missing] if missing.sum() > 1 else pd.Series(1.0, index=shares.index[missing])
        table.loc[name, shares.index[missing]] = rest * fill / fill.sum()
        if pd.isna(row["mean_size"]) and pd.notna(row["people_in_households"]):
            table.loc[name, "mean_size"] = row["people_in_households"] / row["households"]
    return table


def household_composition(territory: Territory) -> Composition:
    """Each zone's census household structure, by the rule of docs/HOUSEHOLDS.md: the 8th and
    14th arrondissements their own figures, the other communes and arrondissements of
    Marseille-Provence and the Pays d'Aubagne the employment zone's, the Pays d'Aix the Aix
    living area's, the rest the region's. A zone row without a mean size (8e, 14e) gets its
    population divided by its households."""
    table = reference_rows()
    zones = territory.zones
    rows = [
        _ZONE_ROWS.get(int(code), _TERRITORY_ROWS.get(str(area), _DEFAULT_ROW))
        for code, area in zip(zones["insee_code"], zones["territory"], strict=True)
    ]
    shares = table.loc[rows, list(_SHARE_COLUMNS)].to_numpy(float, copy=True) / 100.0
    shares /= shares.sum(axis=1, keepdims=True)
    size = table.loc[rows, "mean_size"].to_numpy(float, copy=True)
    own = np.isnan(size)
    size[own] = territory.population[own] / table.loc[rows, "households"].to_numpy(float)[own]
    return Composition(shares, size, tuple(rows))


def form_households(
    zone: np.ndarray,
    age_years: np.ndarray,
    sex: np.ndarray,
    status: np.ndarray,
    composition: Composition,
    rng_or_uniforms: np.random.Generator | np.ndarray,
    params: HouseholdParameters | None = None,
) -> tuple[np.ndarray, Households]:
    """Group the residents of each zone into households (see the module docstring).

    `rng_or_uniforms` is a NumPy Generator or an (n, N_UNIFORMS) array of uniforms in [0, 1).
    Returns the household index of every resident (int32) and the households.
    """
    params = params or HouseholdParameters()
    zone, age, sex, status = _checked_residents(zone, age_years, sex, status, composition)
    uniforms = _uniforms(rng_or_uniforms, zone.size)
    order = np.argsort(zone, kind="stable")
    bounds = np.searchsorted(zone[order], np.arange(composition.n_zones + 1))
    local, kinds, counts = form_all_zones(
        bounds,
        age[order],
        sex[order],
        (status[order] == Status.RETIRED),
        (status[order] == Status.IN_EDUCATION),
        uniforms[order],
        composition.shares.astype(np.float64),
        composition.mean_size.astype(np.float64),
        _kernel_parameters(params),
        _at_home_weights(params),
    )
    first = np.concatenate([[0], np.cumsum(counts)])
    household = np.empty(zone.size, dtype=np.int32)
    household[order] = (local + np.repeat(first[:-1], np.diff(bounds))).astype(np.int32)
    kind = np.concatenate([kinds[bounds[z] : bounds[z] + counts[z]] for z in range(counts.size)])
    hh_zone = np.repeat(np.arange(counts.size, dtype=np.uint8), counts)
    return household, _households(household, hh_zone, kind.astype(np.uint8), age)


def consumption_units(households: Households) -> np.ndarray:
    """INSEE's modified OECD scale: 1 for the first person aged 14 or more, 0.5 for each other
    one, 0.3 for each child under 14 (a household of children only: 1 for the first child)."""
    older = households.members_14_plus.astype(np.float64)
    young = households.children_under_14.astype(np.float64)
    units = 1.0 + 0.5 * np.maximum(older - 1.0, 0.0) + 0.3 * young
    return np.where(older > 0, units, units - 0.3)


def kind_shares(households: Households, n_zones: int) -> np.ndarray:
    """Share of each household kind in each zone (zones x 5)."""
    counts = np.zeros((n_zones, len(HouseholdKind)))
    np.add.at(counts, (households.zone, households.kind), 1.0)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)


def _checked_residents(zone, age_years, sex, status, composition: Composition):
    """The residents' arrays as int64, or an InputError (a ValueError) that says what is wrong."""
    arrays = {"zone": zone, "age_years": age_years, "sex": sex, "status": status}
    for name, array in arrays.items():
        if np.ndim(array) != 1:
            raise InputError(f"{name}: expected a one-dimensional array, got shape {np.shape(array)}")
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise InputError(f"resident arrays of different lengths: {lengths}")
    zone, age, sex, status = (np.asarray(a).astype(np.int64) for a in arrays.values())
    if zone.size and (zone.min() < 0 or zone.max() >= composition.n_zones):
        bad = int(zone[(zone < 0) | (zone >= composition.n_zones)][0])
        raise InputError(f"unknown zone index {bad}: expected 0 to {composition.n_zones - 1}")
    if age.size and age.min() < 0:
        raise InputError(f"age_years: expected ages of 0 or more, got {int(age.min())}")
    if sex.size and not np.isin(sex, (Sex.MALE, Sex.FEMALE)).all():
        raise InputError("sex: expected 0 (male) or 1 (female) for every resident")
    if status.size and (status.min() < 0 or status.max() >= len(Status)):
        raise InputError(f"status: expected values 0 to {len(Status) - 1}")
    return zone, np.minimum(age, MAX_AGE), sex, status


def _uniforms(rng_or_uniforms, n: int) -> np.ndarray:
    """The (n, N_UNIFORMS) uniforms: drawn from a Generator, or checked when given."""
    if isinstance(rng_or_uniforms, np.random.Generator):
        return rng_or_uniforms.random((n, N_UNIFORMS))
    uniforms = np.asarray(rng_or_uniforms, dtype=np.float64)
    if uniforms.shape != (n, N_UNIFORMS):
        raise InputError(f"uniforms: expected shape ({n}, {N_UNIFORMS}), got {uniforms.shape}")
    if uniforms.size and not ((uniforms >= 0.0) & (uniforms < 1.0)).all():
        raise InputError("uniforms: expected values in [0, 1)")
    return uniforms


def _kernel_parameters(params: HouseholdParameters) -> np.ndarray:
    """The parameters as the float array the kernels read (order: the `_P_*` indices there)."""
    return np.array(
        [
            params.students_at_home,
            params.mothers_among_single_parents,
            params.parent_gap_min,
            params.parent_gap_max,
            params.parent_gap_mean,
            params.parent_gap_spread,
            params.couple_gap_mean,
            params.couple_gap_spread,
            params.couple_gap_min,
            params.couple_gap_max,
            params.sibling_spread,
        ]
    )


def _at_home_weights(params: HouseholdParameters) -> np.ndarray:
    """Weight of each age 0..MAX_AGE when choosing non-student adults who live with parents."""
    weights = np.zeros(MAX_AGE + 1)
    weights[18:30] = params.at_home_weight_18_29
    weights[30:40] = params.at_home_weight_30_39
    return weights


def _households(household: np.ndarray, zone: np.ndarray, kind: np.ndarray, age: np.ndarray) -> Households:
    """Per-household counts and the member lists from every resident's household index."""
    n = kind.size
    size = np.bincount(household, minlength=n)
    if size.size and size.max() > 255:
        raise InputError(f"a household of {size.max()} members: at most 255 fit the uint8 counts")

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(household[mask], minlength=n).astype(np.uint8)

    return Households(
        zone=zone,
        kind=kind,
        adults=count(age >= ADULT_AGE),
        children_under_14=count(age < CHILD_UC_AGE),
        members_14_plus=count(age >= CHILD_UC_AGE),
        offsets=np.concatenate([[0], np.cumsum(size)]).astype(np.int64),
        members=np.argsort(household, kind="stable").astype(np.int32),
    )
