"""Housing: rents per zone, residential moves, and displacement when rents rise.

Each zone has a housing capacity (residents it can lodge, at first its population) and a rent
index (1 at the start). Households move together at the observed rate, mostly inside their zone:
the draws of the household's lowest slot decide for all its members, who keep one zone and one
home cell. A moving household that leaves the zone chooses a destination with probability
proportional to

    exp(-d / lambda) x (share of the mover's income quintile in the zone)^gamma
                     x amenity x rent^(-epsilon_quintile) x (air_z / air_z,start)^(-eta)

so that, with rents, amenities and air unchanged, moves keep each zone's income mix (the observed
sorting) while poorer movers avoid zones that became dearer, and all movers zones whose air got
worse relative to the metro's (air_z: the zone's PM2.5 breathed over the metro's, smoothed over a
year; eta: the elasticity of housing values to particles). A destination without free housing
for all the members sends the household back to its zone, or, if its room was taken meanwhile,
to another destination with room. Rents follow a reduced-form hedonic
target — amenity (public space, renewal), housing supply relative to the start, and access to
jobs — and adjust gradually.
Residents of a zone whose rent has risen move out more often, the poorest most (displacement).
Capacities are room for residents, net of what construction lodges without adding residents: a
programme's new homes lodge their residents in their zone, and the rest of the metro's stock then
lodges all but a share `new_home_net_residents` of them fewer (the "point mort" of construction).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Relative, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.submodels.household_events import adults_by_zone_kernel, gather_children_kernel
from ampsim.world.homes import draw_home_cell, draw_home_cell_for
from ampsim.world.households import HouseholdParameters
from ampsim.world.income import IncomeMix, income_quintile
from ampsim.world.residents import Residents
from ampsim.world.view import ModelView

N_QUINTILES = 5


class HousingParameters(ParameterGroup):
    """Moves, destination choice, rents and displacement."""

    move_rate: float = parameter(
        0.114,
        unit="1/year",
        ge=0,
        le=1,
        source="11.4 % of residents of the Marseille-Aix urban area lived in another dwelling a "
        "year before (INSEE census 2012, POP T4)",
        description="annual probability of moving home",
    )
    share_leaving_zone: float = parameter(
        0.46,
        unit="1",
        ge=0,
        le=1,
        source="5.3 % of residents came from another commune against 6.1 % from the same one "
        "(INSEE census 2012, POP T4)",
        description="share of moves that leave the zone",
    )
    move_distance_km: float = parameter(
        10.0,
        le=100,
        unit="km",
        gt=0,
        source=ASSUMPTION,
        description="length of the distance decay exp(-d/lambda) in the choice of destination",
    )
    sorting_strength: float = parameter(
        1.0,
        unit="1",
        ge=0,
        le=3,
        source="1 reproduces each zone's current income mix among newcomers (observed sorting); "
        "modelling assumption",
        description="gamma: weight of the mover's income group share in a destination",
    )
    rent_sensitivity_by_quintile: tuple[Relative, Relative, Relative, Relative, Relative] = parameter(
        (3.0, 2.0, 1.0, 0.5, 0.0),
        unit="elasticity",
        source=ASSUMPTION,
        description="epsilon: how much movers of income quintile 1-5 avoid dearer zones",
    )
    air_value_elasticity: float = parameter(
        0.275,
        unit="elasticity",
        ge=0,
        le=5,
        source="Chay & Greenstone 2005 (JPE 113(2)): the elasticity of housing values to total suspended "
        "particulates is -0.20 to -0.35 (Clean Air Act nonattainment as an instrument), the middle here; "
        "applying it to PM2.5 and to the pull of a zone on movers is a modelling assumption",
        description="eta: fall of a zone's pull on movers per unit relative rise of its PM2.5 against the "
        "metro's since the start",
    )
    air_memory_months: float = parameter(
        12.0,
        unit="months",
        ge=1,
        le=120,
        source=ASSUMPTION + " (movers know a zone's air by its reputation, built over a year or more)",
        description="time constant of the smoothing of a zone's relative air that movers see",
    )
    rent_amenity_elasticity: float = parameter(
        1.0,
        le=10,
        unit="elasticity",
        ge=0,
        source=ASSUMPTION,
        description="rent target per unit of relative amenity",
    )
    rent_supply_elasticity: float = parameter(
        0.5,
        le=10,
        unit="elasticity",
        ge=0,
        source=ASSUMPTION,
        description="fall of the rent target per unit of relative housing supply",
    )
    rent_job_access_elasticity: float = parameter(
        0.5,
        le=10,
        unit="elasticity",
        ge=0,
        source=ASSUMPTION,
        description="rise of the rent target per unit of relative access to jobs",
    )
    rent_adjustment: float = parameter(
        0.05,
        unit="1/month",
        gt=0,
        le=1,
        source=ASSUMPTION,
        description="share of the gap to the rent target closed each month",
    )
    displacement_rate: float = parameter(
        0.02,
        unit="1/month per unit of rent rise",
        ge=0,
        le=1,
        source="renewal displaced poorer residents in Euroméditerranée (Becciu 2016), but vulnerable "
        "residents are not much more likely to move from gentrifying areas (Ding, Hwang & Divringi "
        "2016), hence a low default; modelling assumption",
        description="extra monthly moving probability of the poorest quintile per unit rise of the "
        "zone's rent index",
    )
    vacant_share: float = parameter(
        0.03,
        unit="share of dwellings",
        ge=0,
        lt=0.5,
        source="derived: 7.5 % of the dwellings of Bouches-du-Rhône are vacant (INSEE, Logement "
        "2021), of which two fifths are assumed on the market (the rest long-term vacant, under "
        "repair or withheld; modelling assumption)",
        description="dwellings on the market at the start, as a share of all dwellings: the "
        "room movers and arrivals can take",
    )
    construction_rate: float = parameter(
        0.108,
        unit="% of dwellings per year",
        ge=0,
        le=5,
        source="net additions that keep the vacant share with the projected population "
        "growth (boundary.projected_growth_pct); modelling assumption",
        description="new dwellings a year in every zone, beyond a programme's own",
    )
    programme_crowd_out: float = parameter(
        0.5,
        unit="dwellings not built per programme dwelling",
        ge=0,
        le=1,
        source="one government-subsidised dwelling adds only a third to a half of a dwelling to a "
        "market's housing stock, with less crowd-out in more populous markets (Sinai & Waldfogel "
        "2005, J. Public Economics 89, US census places and metropolitan areas); the upper net "
        "addition for a metro of 1.9 million; applying it to a French urban-renewal operation is "
        "a modelling assumption",
        description="share of a programme's new dwellings that the metro's other construction "
        "does not build (the programme takes demand that private building would have met)",
    )
    new_home_net_residents: float = parameter(
        0.12,
        unit="metro residents added per resident a new dwelling lodges",
        ge=0,
        le=1,
        source="derived: AMP built 8,450 dwellings in 2021 with a nil net migration (Métropole PLH "
        "2023-2028 diagnosis, Gomet 16 March 2023), for a growth of about 2,100 residents a year "
        "(boundary.projected_growth_pct on 1.94 million): 2,100 / (8,450 x 2.1 residents per "
        "dwelling) = 0.12; the rest of what construction lodges is the 'point mort' (smaller "
        "households, demolished and converted homes, second homes, vacancy); that a programme's "
        "dwellings behave like the average is a modelling assumption",
        description="metro residents a programme's new dwelling adds per resident it lodges: its "
        "occupants come mostly from the existing stock, which then lodges fewer people (the "
        "baseline's construction_rate is already net)",
    )
    displacement_by_quintile: tuple[Relative, Relative, Relative, Relative, Relative] = parameter(
        (1.0, 0.6, 0.3, 0.1, 0.0),
        unit="relative",
        source=ASSUMPTION,
        description="relative displacement risk of income quintiles 1-5",
    )


class Housing(Submodel):
    """Housing capacity, amenity and rent of each zone, and the month's moves."""

    def __init__(self, params: HousingParameters, households: HouseholdParameters | None = None):
        super().__init__(params)
        households = households or HouseholdParameters()
        self.parent_gap = np.array([households.parent_gap_min, households.parent_gap_max], dtype=np.int64)
        self.moves_within = self.moves_between = self.displaced = 0
        self.children_gathered = 0
        self.sensitivity = np.array(params.rent_sensitivity_by_quintile)
        self.displacement_risk = np.array(params.displacement_by_quintile)
        self._movers = np.empty(0, dtype=np.int32)  # lowest slots of the month's moving households

    def setup(self, model: ModelView, job_access: np.ndarray) -> None:
        """Capacity from where residents live; `job_access`: jobs within reach of each zone."""
        n = model.territory.n_zones
        r = model.residents
        occupied = np.bincount(r.zone[r.present()], minlength=n)
        self.capacity = np.ceil(occupied / (1 - self.params.vacant_share)).astype(np.int64)
        self.initial_capacity = self.capacity.copy()
        self._construction = np.zeros(n)  # dwellings under way, fractional (simulated residents)
        self.crowded_out = 0.0  # programme dwellings the other construction has still to forgo
        self._absorbed = np.zeros(n)  # room of the existing stock still to take off, by zone
        self.lodged_fewer = np.zeros(n, dtype=np.int64)  # room taken off so far (not dwellings)
        self.amenity = np.ones(n)
        self.rent = np.ones(n)
        self.air_pull = np.ones(n)  # (relative air now / at the start)^(-eta), what movers see
        self._air_start: np.ndarray | None = None  # each zone's PM2.5 over the metro's, first month
        self._air_seen: np.ndarray | None = None  # the same, smoothed
        self.distance_weight = np.exp(-model.territory.commute_km / self.params.move_distance_km)
        np.fill_diagonal(self.distance_weight, 0.0)  # leaving the zone means another zone
        self.initial_job_access = job_access
        self._adultless_zones = adults_by_zone_kernel(r.kernel_view(), n) == 0
        self.income_mix = IncomeMix(model.residents, n)

    def vacant(self, residents: Residents) -> np.ndarray:
        """Residents each zone could still lodge (0 where it is full)."""
        occupied = np.bincount(residents.zone[residents.present()], minlength=self.capacity.size)
        return np.maximum(self.capacity - occupied, 0)

    def dwellings(self) -> np.ndarray:
        """Each zone's dwellings, in residents at the start's occupancy: the capacity with the
        room its existing stock lost to a programme's homes (fewer people per home, not fewer
        homes), which rents see as supply."""
        return self.capacity + self.lodged_fewer

    def build(self) -> None:
        """A month's construction in every zone, whole dwellings as they are completed; the
        dwellings crowded out by programmes are taken off it, in proportion in every zone."""
        monthly = (1 + self.params.construction_rate / 100) ** (1 / 12) - 1
        started = monthly * self.initial_capacity
        forgone = min(self.crowded_out, float(started.sum()))
        if forgone > 0:
            started *= 1 - forgone / started.sum()
            self.crowded_out -= forgone
        self._construction += started
        done = np.floor(self._construction)
        self.capacity += done.astype(np.int64)
        self._construction -= done
        absorbed = np.floor(self._absorbed)  # the existing stock's room a programme's homes use
        self.capacity -= absorbed.astype(np.int64)
        self.lodged_fewer += absorbed.astype(np.int64)
        self._absorbed -= absorbed

    def add_housing(self, zone: int, residents: int) -> None:
        """A programme's new dwellings for `residents` (simulated) people in a zone. Only a share
        `new_home_net_residents` of them add to the metro's room, in the net units of the
        baseline's construction: the rest of the metro's existing stock lodges the others fewer
        (`build` takes them off the other zones, in proportion to their capacity); and a share
        `programme_crowd_out` of that net addition is not built elsewhere."""
        p = self.params
        self.capacity[zone] += residents
        net = residents * p.new_home_net_residents
        self.crowded_out += net * p.programme_crowd_out
        others = self.capacity.astype(float)
        others[zone] = 0.0
        if others.sum() > 0:
            self._absorbed += (residents - net) * others / others.sum()

    def add_amenity(self, zones: np.ndarray, gain: np.ndarray | float) -> None:
        """Raise the amenity of the zones (renewal, greenery), which draws movers and raises rents."""
        self.amenity[zones] += gain

    def perceive_air(self, pm25_by_zone: np.ndarray, residents_by_zone: np.ndarray) -> None:
        """Movers' view of each zone's air: its PM2.5 over the metro's, smoothed, against the first
        month's (a policy's cleaner air draws movers; the start's air is already in the observed
        sorting). Zones without residents keep their view; nothing happens before air is simulated."""
        pm25 = np.asarray(pm25_by_zone, dtype=float)
        weight = np.asarray(residents_by_zone, dtype=float)
        if weight.sum() <= 0 or not np.any(pm25 > 0):
            return
        relative = pm25 / float(pm25 @ weight / weight.sum())
        if self._air_start is None:
            self._air_start, self._air_seen = relative.copy(), relative.copy()
        inhabited = weight > 0
        self._air_seen[inhabited] += (
            relative[inhabited] - self._air_seen[inhabited]
        ) / self.params.air_memory_months
        ratio = np.divide(
            self._air_seen, self._air_start, out=np.ones_like(relative), where=self._air_start > 0
        )
        self.air_pull = ratio ** (-self.params.air_value_elasticity)

    def update_rents(self, job_access: np.ndarray) -> None:
        p = self.params
        target = (
            self.amenity**p.rent_amenity_elasticity
            * (self.initial_capacity / np.maximum(self.dwellings(), 1)) ** p.rent_supply_elasticity
            * (job_access / np.maximum(self.initial_job_access, 1e-9)) ** p.rent_job_access_elasticity
        )
        self.rent += p.rent_adjustment * (target - self.rent)

    def destination_cdf(self, quintile_mix: np.ndarray) -> np.ndarray:
        """CDF over destinations for each (origin zone, income quintile): (zones, 5, zones)."""
        p = self.params
        share = quintile_mix / np.maximum(quintile_mix.sum(axis=1, keepdims=True), 1.0)
        metro = quintile_mix.sum(axis=0) / max(quintile_mix.sum(), 1.0)
        relative = np.divide(share, metro[None, :], out=np.zeros_like(share), where=metro[None, :] > 0)
        pull = (
            relative.T**p.sorting_strength  # (5, zones)
            * self.amenity[None, :]
            * self.air_pull[None, :]
            * self.rent[None, :] ** (-self.sensitivity[:, None])
        )
        weight = self.distance_weight[:, None, :] * pull[None, :, :]
        cdf = np.cumsum(weight, axis=2)
        total = cdf[:, :, -1:]
        return np.divide(cdf, total, out=np.ones_like(cdf), where=total > 0)

    def step(
        self,
        model: ModelView,
        job_access: np.ndarray,
        pm25_by_zone: np.ndarray | None = None,
        residents_by_zone: np.ndarray | None = None,
    ) -> None:
        """Rents follow amenity, supply and `job_access` (jobs within reach of each zone); movers see
        last month's air (`pm25_by_zone` breathed, over `residents_by_zone`); then residents move,
        sorted by income and air, some displaced by rent rises."""
        p = self.params
        r = model.residents
        if model.month >= 1:
            self.build()
        if pm25_by_zone is not None and residents_by_zone is not None:
            self.perceive_air(pm25_by_zone, residents_by_zone)
        self.update_rents(job_access)
        mix = self.income_mix
        occupancy = np.bincount(r.zone[r.present()], minlength=self.capacity.size).astype(np.int64)
        monthly_move = 1 - (1 - p.move_rate) ** (1 / 12)
        displacement = p.displacement_rate * np.maximum(self.rent - 1.0, 0.0)
        grid = model.territory.grid
        moves = MoveTables(
            quintile_edges=mix.edges,
            monthly_move=monthly_move,
            share_leaving=p.share_leaving_zone,
            displacement=displacement,
            displacement_risk=self.displacement_risk,
            destination_cdf=self.destination_cdf(mix.counts),
            capacity=self.capacity,
            zone_cell_start=grid.zone_cell_start,
            zone_cells=grid.zone_cells,
            cell_cdf=model.home_cell_cdf,
        )
        if self._movers.size != r.n:
            self._movers = np.empty(r.n, dtype=np.int32)
        n_movers = np.zeros(chunks_for(r.n), dtype=np.int64)
        counts = np.zeros((n_movers.size, 3), dtype=np.int64)  # within, between, displaced
        residents = r.kernel_view()
        households = model.households.arrays()
        key = model.keys("housing")
        leave_home_kernel(key, residents, households, moves, occupancy, self._movers, n_movers, counts)
        settle_kernel(key, residents, households, moves, self._movers, n_movers, occupancy, counts)
        n_zones = model.territory.n_zones
        adultless = adults_by_zone_kernel(residents, n_zones) == 0
        watched = adultless | self._adultless_zones  # zones that lacked adults, now or last month
        self.children_gathered = 0
        if watched.any():
            self.children_gathered = gather_children_kernel(
                model.keys("households.gathering"), residents, households, self.parent_gap, n_zones, watched
            )
        self._adultless_zones = adultless
        self.moves_within, self.moves_between, self.displaced = (int(c) for c in counts.sum(axis=0))


class MoveTables(NamedTuple):
    """What the moving kernels read besides the residents (read-only)."""

    quintile_edges: np.ndarray  # the four metro income quintile edges
    monthly_move: float  # probability of moving home this month
    share_leaving: float  # share of moves that leave the zone
    displacement: np.ndarray  # by zone: extra moving probability of the poorest (rent rises)
    displacement_risk: np.ndarray  # by income quintile, relative
    destination_cdf: np.ndarray  # (origin zone, quintile, destination): CDF of a mover's choice
    capacity: np.ndarray  # residents each zone can lodge
    zone_cell_start: np.ndarray  # where a new home is: the cells of each zone (grid)
    zone_cells: np.ndarray
    cell_cdf: np.ndarray  # by income quintile, aligned with zone_cells (the model's `home_cell_cdf`)


@njit(cache=True, parallel=True)
def leave_home_kernel(key, r, hh, moves, occupancy, movers, n_movers, counts):  # pragma: no cover
    """Which households move this month: every member reads the draws of the household's lowest
    slot (its head), so all decide alike and chunks run in parallel. A move inside the zone draws
    one new home cell for all; a household leaving the zone vacates its home and its head is
    listed, chunk c's in slot order in movers[start_c : start_c + n_movers[c]]. counts[c] =
    residents moving (within, between, displaced) in chunk c. `r`: ResidentArrays; `hh`:
    HouseholdArrays; `moves`: MoveTables."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    home_cell = r.home_cell
    household = r.household
    income = r.income
    head = hh.head
    household_cell = hh.home_cell
    quintile_edges = moves.quintile_edges
    displacement = moves.displacement
    displacement_risk = moves.displacement_risk
    monthly_move = moves.monthly_move
    share_leaving = moves.share_leaving
    zone_cell_start = moves.zone_cell_start
    zone_cells = moves.zone_cells
    cell_cdf = moves.cell_cdf
    n_chunks = n_movers.size
    vacated = np.zeros((n_chunks, occupancy.size), dtype=np.int64)
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        k = start
        for i in range(start, stop):
            if household[i] < 0:  # a free slot
                continue
            z = zone[i]
            j = head[household[i]]  # decides for the household
            forced = 0.0  # displacement only where rents rose
            if displacement[z] > 0.0:
                forced = displacement[z] * displacement_risk[income_quintile(income[j], quintile_edges)]
            u = uniform(key, j, 0)
            if u >= monthly_move + forced:
                continue
            if u < monthly_move and uniform(key, j, 1) >= share_leaving:
                cell = draw_home_cell_for(
                    uniform(key, j, 2), z, income[j], quintile_edges, zone_cell_start, zone_cells, cell_cdf
                )
                home_cell[i] = cell
                if i == j:
                    household_cell[household[i]] = cell
                counts[c, 0] += 1
                continue
            if u >= monthly_move:
                counts[c, 2] += 1
            vacated[c, z] += 1
            if i == j:
                movers[k] = i
                k += 1
        n_movers[c] = k - start
    for c in range(n_chunks):
        occupancy -= vacated[c]


@njit(cache=True)
def settle_kernel(key, r, hh, moves, movers, n_movers, occupancy, counts):  # pragma: no cover - compiled
    """Households leaving their zone, in their heads' slot order, each take a destination with
    free housing for all its members and one home cell there. Serial: each one fills housing that
    the next cannot take."""
    zone = r.zone  # unpacked once (see ResidentArrays)
    home_cell = r.home_cell
    household = r.household
    income = r.income
    quintile_edges = moves.quintile_edges
    destination_cdf = moves.destination_cdf
    capacity = moves.capacity
    zone_cell_start = moves.zone_cell_start
    zone_cells = moves.zone_cells
    cell_cdf = moves.cell_cdf
    n_chunks = n_movers.size
    for c in range(n_chunks):
        start, _ = chunk_bounds(c, n_chunks, zone.size)
        for k in range(start, start + n_movers[c]):
            i = movers[k]
            h = zone[i]
            row = household[i]
            size = hh.size[row]
            q = income_quintile(income[i], quintile_edges)
            d = _destination(key, i, h, q, size, destination_cdf, occupancy, capacity)
            if d != h:
                counts[c, 1] += size
            occupancy[d] += size
            cell = draw_home_cell(uniform(key, i, 4), d, zone_cell_start, zone_cells, cell_cdf[q])
            hh.zone[row] = d
            hh.home_cell[row] = cell
            m = hh.first[row]
            while m >= 0:
                zone[m] = d
                home_cell[m] = cell
                m = hh.next_member[m]


@njit(cache=True)
def _destination(key, i, h, q, size, destination_cdf, occupancy, capacity):  # pragma: no cover
    """A destination with free housing for `size` people: the chosen zone, else back home, else
    another draw, else the likeliest zone (in the household's choice order) that has room, else
    the zone with the most room (the one case where a capacity can be exceeded, by less than the
    household's size)."""
    n_zones = destination_cdf.shape[2]
    for attempt in range(4):
        if attempt == 1:
            if occupancy[h] + size <= capacity[h]:
                return h
            continue
        d = np.searchsorted(destination_cdf[h, q], uniform(key, i, 3 + 2 * attempt), side="right")
        d = min(d, n_zones - 1)
        if occupancy[d] + size <= capacity[d]:
            return d
    best = -1
    best_probability = -1.0
    roomiest = h
    previous = 0.0
    for z in range(n_zones):  # the most likely destination that still has room
        probability = destination_cdf[h, q, z] - previous
        previous = destination_cdf[h, q, z]
        if occupancy[z] + size <= capacity[z] and probability > best_probability:
            best, best_probability = z, probability
        if capacity[z] - occupancy[z] > capacity[roomiest] - occupancy[roomiest]:
            roomiest = z
    return best if best >= 0 else roomiest
