"""AMPModel: the Aix-Marseille-Provence metropolis as a Mesa model, one step per month.

Residents are typed arrays updated by Numba kernels; startups, incubators and sensors are Mesa
agents. `step()` reads top to bottom as the list of submodels in the order they run.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import mesa
import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ampsim.core.chunks import kernel_threads
from ampsim.core.errors import InputError
from ampsim.core.parameters import ParameterGroup
from ampsim.core.rng import month_key
from ampsim.core.seeds import SeedPlan
from ampsim.core.submodel import Submodel
from ampsim.indicators import METRO_NAMES
from ampsim.metrics import Metrics
from ampsim.submodels.commuting import Commuting, CommutingParameters
from ampsim.submodels.demography import Demography, DemographyParameters
from ampsim.submodels.exposure import Exposure, ExposureParameters
from ampsim.submodels.housing import Housing, HousingParameters
from ampsim.submodels.income.earnings import EarningsParameters
from ampsim.submodels.income.housing_costs import HousingCostParameters
from ampsim.submodels.income.incomes import Incomes
from ampsim.submodels.income.pensions import PensionParameters
from ampsim.submodels.incubators import IncubatorNetwork, IncubatorParameters
from ampsim.submodels.labour import LabourMarket, LabourParameters
from ampsim.submodels.lifecourse import Lifecourse, LifecourseParameters
from ampsim.submodels.migration import Migration
from ampsim.submodels.pollution import PollutionModel, PollutionParameters
from ampsim.submodels.sensors import SensorNetwork, SensorParameters
from ampsim.submodels.startups import StartupParameters, StartupSector
from ampsim.submodels.training import Training, TrainingParameters
from ampsim.world.boundary import BoundaryParameters
from ampsim.world.homes import home_cell_cdf_by_quintile, sort_priority_homes
from ampsim.world.household_table import HouseholdTable
from ampsim.world.households import HouseholdParameters
from ampsim.world.population import (
    PopulationParameters,
    check_scale,
    minimum_scale,
    scale_minimum_problem,
    synthesise_residents_and_households,
)
from ampsim.world.residents import with_free_slots
from ampsim.world.territory import load_territory

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in every table and manifest
MAX_REPLICATES = 1000  # far more than any interval needs; each replicate is a full run
# Bytes of model state per resident living in the metropolis (`AMPModel.state_bytes_per_resident`):
# resident arrays with their free slots (about 36), household table (15), income state (35).
STATE_BUDGET_BYTES = 96


def _at_least_minimum_scale(value: float) -> float:
    """Refuse a scale that would leave the smallest zone without a simulated resident."""
    problem = scale_minimum_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# a scale in (0, 1] that is also at least `minimum_scale()`; the checks travel with the type
Scale = Annotated[float, Field(gt=0, le=1), AfterValidator(_at_least_minimum_scale)]


class RunSettings(BaseModel):
    """How a run is made, beside what it simulates: scale, seed, replicate, period, spin-up, grid.

    These are the one place where the defaults and bounds of a run are written; scenario files
    (`ampsim.scenarios.scenario`), experiment files, the command line and `AMPModel` take theirs
    from here."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    scale: Scale = Field(
        0.05,
        description="fraction of the real population simulated (one resident per 1/scale people); at "
        f"least {minimum_scale():.3g}, so that the smallest zone has a simulated resident of its own",
        json_schema_extra={"minimum": minimum_scale()},
    )
    seed: int = Field(
        0, ge=0, le=MAX_SEED, description="root random seed; the same seed pairs scenarios' runs"
    )
    replicate: int = Field(
        0, ge=0, lt=MAX_REPLICATES, description="replicate number: which of the seed's streams"
    )
    start: str = Field("2026-01", pattern=MONTH_PATTERN, description="first simulated month, YYYY-MM")
    months: int = Field(
        180, ge=1, le=1200, description="number of simulated months (180: 2026 to 2040; at most a century)"
    )
    spin_up_months: int = Field(
        120,
        ge=0,
        le=240,
        description="calibration months simulated before the start (not reported): ten years, so "
        "that the flows in and out of work settle from the census stock before the run",
    )
    cell_km: float = Field(1.0, ge=0.25, le=5.0, description="side of the pollution grid's cells, km")


DEFAULT_SETTINGS = RunSettings()
DEFAULT_START = DEFAULT_SETTINGS.start
DEFAULT_MONTHS = DEFAULT_SETTINGS.months  # 2026-01 to 2040-12, the horizon of the Ambition 2040 strategy


class ModelParameters(ParameterGroup):
    """The model's parameter tree: one group per mechanism (see docs/MODEL.md for the table)."""

    population: PopulationParameters = PopulationParameters()
    households: HouseholdParameters = HouseholdParameters()
    demography: DemographyParameters = DemographyParameters()
    boundary: BoundaryParameters = BoundaryParameters()
    lifecourse: LifecourseParameters = LifecourseParameters()
    training: TrainingParameters = TrainingParameters()
    labour: LabourParameters = LabourParameters()
    earnings: EarningsParameters = EarningsParameters()
    pensions: PensionParameters = PensionParameters()
    housing_costs: HousingCostParameters = HousingCostParameters()
    housing: HousingParameters = HousingParameters()
    commuting: CommutingParameters = CommutingParameters()
    startups: StartupParameters = StartupParameters()
    incubators: IncubatorParameters = IncubatorParameters()
    pollution: PollutionParameters = PollutionParameters()
    sensors: SensorParameters = SensorParameters()
    exposure: ExposureParameters = ExposureParameters()


def make_parameters(params: ModelParameters | Mapping[str, Any] | None) -> ModelParameters:
    """A validated parameter tree from None (defaults), a mapping, or a tree."""
    if params is None:
        return ModelParameters()
    if isinstance(params, ModelParameters):
        return params
    try:
        return ModelParameters.model_validate(params)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        raise InputError(f"parameter {path}: {first['msg']}") from None


def parse_month(text: str) -> tuple[int, int]:
    """'2026-01' -> (2026, 1)."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
    except ValueError:
        raise InputError(f"start: expected a month as YYYY-MM, got {text!r}") from None
    if not 1 <= month <= 12:
        raise InputError(f"start: expected a month as YYYY-MM, got {text!r}")
    return year, month


class AMPModel(mesa.Model):
    """The metropolis, simulated month by month from `start` for `months` months."""

    def __init__(
        self,
        params: ModelParameters | Mapping[str, Any] | None = None,
        *,
        scale: float = DEFAULT_SETTINGS.scale,
        seed: int = DEFAULT_SETTINGS.seed,
        replicate: int = DEFAULT_SETTINGS.replicate,
        months: int = DEFAULT_SETTINGS.months,
        start: str = DEFAULT_SETTINGS.start,
        cell_km: float = DEFAULT_SETTINGS.cell_km,
        calibration_months: int = DEFAULT_SETTINGS.spin_up_months,
        interventions: Sequence[Any] = (),
    ):
        self.seed_plan = SeedPlan.from_seed(seed)
        self.seeds = self.seed_plan.replicate(replicate)
        super().__init__(rng=self.seeds.generator("mesa"))
        self.params = make_parameters(params)
        self.scale = check_scale(scale)
        if int(months) < 1:
            raise InputError(f"months: expected a positive number of months, got {months!r}")
        self.months = int(months)
        self.start_year, self.start_month = parse_month(start)
        self.month = -int(calibration_months)  # months simulated; negative during the spin-up
        self._stream_keys: dict[str, np.uint64] = {}
        self.interventions = list(interventions)
        _give_unique_names(self.interventions)

        # the territory and its residents
        self.territory = load_territory(cell_km)
        residents, formed = synthesise_residents_and_households(
            self.territory, self.scale, self.seeds, self.params.population, self.params.households
        )
        self.residents = with_free_slots(residents, self.params.population.free_slot_share)
        self.households = HouseholdTable.from_formed(self.residents, formed)
        self.home_cell_cdf = self._home_cell_cdf()
        self.residents.awareness[:] = round(self.params.sensors.base_awareness * 255)

        # the submodels, built from their parameters, then set up in the order `step` runs them
        p = self.params
        self.demography = Demography(p.demography, p.population, p.households)
        self.migration = Migration(p.boundary, p.population, p.households)
        self.lifecourse = Lifecourse(p.lifecourse, p.households)
        self.training = Training(p.training, p.labour.trained_search_boost)
        self.labour = LabourMarket(p.labour)
        self.incomes = Incomes(p.earnings, p.pensions, p.housing_costs)
        self.incubators = IncubatorNetwork(p.incubators)
        self.startups = StartupSector(p.startups)
        self.housing = Housing(p.housing, p.households)
        self.commuting = Commuting(p.commuting)
        self.pollution = PollutionModel(p.pollution)
        self.sensors = SensorNetwork(p.sensors)
        self.exposure = Exposure(p.exposure)
        self._set_up_submodels()
        self.metrics = Metrics(self)
        for intervention in self.interventions:
            intervention.setup(self)

        self._spin_up()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: functools.partial(metro_indicator, name=name) for name in METRO_NAMES}
        )

    def _set_up_submodels(self) -> None:
        """Each submodel's initial state, with what it needs from the ones set up before it."""
        self.demography.setup(self)
        self.migration.setup(self)
        self.lifecourse.setup(self)
        self.training.setup(self)
        self.labour.setup(self)  # initial jobs
        self.incubators.setup(self)
        self.startups.setup(self, incubator_presence=self.incubators.presence_by_zone(self.territory))
        self.incomes.setup(self)  # pay, pensions, tenures
        self.housing.setup(self, job_access=self.labour.job_access())
        self.commuting.setup(self)  # initial modes
        self.pollution.setup(self, car_trips=self.commuting.car_trips_per_month(self.residents.weight))
        self.sensors.setup(self)
        self.exposure.setup(self)

    # --- the monthly step ---------------------------------------------------------------
    def step(self) -> None:
        """Simulate one month."""
        with kernel_threads(self.residents.n):
            self._simulate_month()
            self.metrics.collect(self)
        self.datacollector.collect(self)
        if self.month >= self.months:
            self.running = False

    def _simulate_month(self) -> None:
        """The month's submodels, in order; the keyword arguments are what flows between them."""
        self.month += 1
        if self.month >= 1:  # policies act from the first simulated month, never in the spin-up
            for intervention in self.interventions:
                intervention.apply(self)
        self._step(
            self.demography, hazard_by_home_cell=self.exposure.hazard_by_home_cell
        )  # ageing, deaths, births
        vacant = self.housing.vacant(self.residents)
        self._step(  # departures; arrivals where the factors of employment and rent draw them
            self.migration,
            employment_rate=self.labour.employment_rate(),
            rent=self.housing.rent,
            vacant=vacant,
            work_cdf=self.labour.arrival_work_cdf(),
        )
        self._step(self.lifecourse)  # school leaving, inactivity, retirement
        self._step(self.training)  # training entries and completions
        self._step(self.incubators, startups=self.startups.agents)  # graduations and intakes
        graduates = self._step(  # closures, graduations, growth, funding, foundings
            self.startups, incubator_presence=self.incubators.presence_by_zone(self.territory)
        )
        self.labour.absorb_graduates(graduates)  # established startups' jobs become incumbent jobs
        self._step(  # separations, matching, hires into incumbents and startups; transit changes access
            self.labour,
            search_boost=self.training.search_boost,
            openings=self.startups.open_positions(),
            access_gain=self.commuting.access_gain(),
        )
        self.startups.recount_employees(self)  # after the month's separations and hires
        self.startups.hire_outside(  # the staff the model does not simulate meet the same frictions
            self, fill_rate=self.labour.fill_rate(), leaving=self.labour.separation_share()
        )
        self._step(  # pay, pensions, ARE; households' disposable income by the tax-benefit rules
            self.incomes,
            replaced=np.concatenate([self.demography.newborn_slots, self.migration.arrival_slots]),
            rent_index=self.housing.rent,
        )
        self._step(  # rents; moves by rent, income mix and last month's air; displacement
            self.housing,
            job_access=self.labour.job_access(),
            pm25_by_zone=self.exposure.zone_means()[:, 2],
            residents_by_zone=self.exposure.residents_by_zone,
        )
        self._step(self.commuting)  # mode choice; car commuters per home-work pair
        self._step(  # emissions (traffic from commuting) -> concentration fields
            self.pollution, car_trips=self.commuting.car_trips_per_month(self.residents.weight)
        )
        self._step(self.sensors, air=self.pollution)  # readings; awareness of residents near sensors
        self._step(  # exposure at home and attributable deaths
            self.exposure,
            air=self.pollution,
            avoidance=self.params.sensors.exposure_avoidance,
            death_probability=self.demography.death_probability,
        )
        if self.month >= 1:
            self.housing.income_mix.update(self.residents)  # what next month's movers see

    def _step(self, submodel: Submodel, **couplings: Any) -> Any:
        """Step a submodel, unless this is the spin-up and the submodel does not run in it."""
        if self.month < 0 and not submodel.runs_in_spin_up:
            return None
        return submodel.step(self, **couplings)

    def _spin_up(self) -> None:
        """Run the calibration months before the start: the labour market's efficiency and zone
        multipliers settle on the census unemployment rates, with adjustments that shrink over
        the second half (from full to a few per cent), and with them the incumbent jobs' tracking of
        employment; residents carry the traits of the zone they live in, and from the start
        keep them wherever they move (`Residents.origin`); the values are then kept, and the run's
        counters and exposures restart from zero."""
        half = max(-self.month // 2, 1)  # the second half of the spin-up anneals the adjustments
        while self.month < 0:
            with kernel_threads(self.residents.n):
                self._simulate_month()
            self.labour.calibrate(gain=min(1.0, (1 - self.month) / half))
            self.residents.settle_origins()
        self.residents.exposure_no2[:] = 0
        self.residents.exposure_pm25[:] = 0
        self.incomes.start(self)  # zone levels fitted to Filosofi; every household's income
        sort_priority_homes(
            self.residents,
            self.households.arrays(),
            self.territory.grid.cell_priority,
            self.params.population.priority_income_noise,
            self.seeds.generator("homes.priority"),
        )
        self.home_cell_cdf = self._home_cell_cdf()
        self.housing.income_mix.reset(self.residents)
        self.metrics = Metrics(self)
        self.startups.registry_start = len(self.startups.registry)

    def _home_cell_cdf(self) -> np.ndarray:
        """Where in its zone a new home is, by income quintile, from where residents live now."""
        present_income = self.residents.income[self.residents.present()]
        return home_cell_cdf_by_quintile(
            self.territory,
            self.params.population.home_density_length,
            self.residents,
            np.quantile(present_income, [0.2, 0.4, 0.6, 0.8]),
        )

    # --- services for the submodels -----------------------------------------------------
    def keys(self, purpose: str, month: int | None = None) -> np.uint64:
        """Key of the counter-based stream of `purpose` for this month (common random numbers)."""
        if purpose not in self._stream_keys:
            self._stream_keys[purpose] = self.seeds.kernel_seed(purpose)
        return month_key(self._stream_keys[purpose], self.month if month is None else month)

    def use_replicate_streams(self, replicate: int) -> None:
        """From now on, draw the kernels' random numbers from another replicate's streams; the
        state stays as it is (replicates that branch from one state, e.g. to measure noise)."""
        self.seeds = self.seed_plan.replicate(replicate)
        self._stream_keys.clear()

    def seed_generator(self, purpose: str) -> np.random.Generator:
        """A NumPy generator for drawing the initial state of one purpose."""
        return self.seeds.generator(purpose)

    def state_bytes_per_resident(self) -> float:
        """Bytes of per-resident model state (resident arrays with their free slots, household
        table, income state) per resident living in the metropolis; see `STATE_BUDGET_BYTES`. The
        submodels' work buffers of slot numbers are left out: their pages are mostly never written."""
        state = self.residents.nbytes + self.households.nbytes + self.incomes.nbytes
        return state / max(self.residents.n_present, 1)

    def spending_this_month(self) -> dict[str, float]:
        """Euros spent this month by each intervention that has a budget."""
        return {i.name: i.spent_this_month for i in self.interventions if getattr(i, "budget_eur", None)}

    # --- calendar -----------------------------------------------------------------------
    def _months_since_january_of_start(self) -> int:
        """Months from January of the start year to the month last simulated (the first month
        before any step and during the spin-up)."""
        return self.start_month - 1 + max(self.month, 1) - 1

    @property
    def year(self) -> int:
        """Calendar year of the month last simulated (the start year before any step)."""
        index = self._months_since_january_of_start()
        return self.start_year + index // 12

    @property
    def calendar_month(self) -> int:
        """Calendar month (1-12) of the month last simulated (the first month before any step)."""
        return self._months_since_january_of_start() % 12 + 1

    @property
    def year_fraction(self) -> float:
        index = self._months_since_january_of_start()
        return self.start_year + index / 12

    @property
    def date_label(self) -> str:
        index = self._months_since_january_of_start()
        return f"{self.start_year + index // 12}-{index % 12 + 1:02d}"

    def close(self) -> None:
        """Release Mesa's per-model agent counter (Mesa 3.3 keeps one per model forever)."""
        mesa.Agent._ids.pop(self, None)


def _give_unique_names(interventions: list[Any]) -> None:
    """Two interventions with the same name get suffixes, so their spending stays apart."""
    seen: dict[str, int] = {}
    for intervention in interventions:
        count = seen.get(intervention.name, 0) + 1
        seen[intervention.name] = count
        if count > 1:
            intervention.name = f"{intervention.name} ({count})"


def metro_indicator(model: AMPModel, name: str) -> float:
    """A metro indicator of the last month (DataCollector reporter; picklable)."""
    return model.metrics.latest.get(name, float("nan"))
