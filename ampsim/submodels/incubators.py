"""Incubators and accelerators: places, cohorts, sector focus, selection and a modest support.

The ecosystem's real incubators (ampsim/world/data/incubators.csv) are Mesa agents. At each intake
(every `cohort_months`), an incubator fills its free places with the best young startups that
apply: not yet incubated, under two years old, in its sectors, within reach; "best" is quality
seen with noise, so selection explains much of the better survival of incubated firms. While
inside, a startup's closure hazard is lowered a little and its growth drift raised a little (its
chance of raising funds is unchanged by default: Yu 2020); it leaves when its programme ends, and
for a while after its closure hazard is higher than without the programme: incubated firms exit
less during incubation and more after it (Amezcua et al. 2011), accelerated companies close
earlier and more often, having learnt their quality sooner (Yu 2020). The causal evidence for
incubation is mixed (Schwartz 2013 finds no survival gain; Amezcua finds growth gains), hence the
modest defaults.

An incubator's places are those its documented annual intake gives the model's startups: the
intake times the share of entrants that are startups of the model (founded in the metropolis in
the past two years and in their first programme; the others are projects that never form a firm,
startups from elsewhere and startups a programme already supported), times the months a place is
held. Incubators, their places and the startups in them are simulated one for one, whatever the
residents' scale.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.agent import AgentSet

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.world.geometry import points_lambert93_km
from ampsim.world.territory import Territory, read_data_csv
from ampsim.world.view import ModelView

if TYPE_CHECKING:
    from ampsim.submodels.startups.agents import Startup


class IncubatorParameters(ParameterGroup):
    """Selection and support of incubators."""

    support_hazard_multiplier: float = parameter(
        0.85,
        unit="multiplier",
        gt=0,
        le=2,
        source="0.7-0.9 is the range suggested by incubation studies; matched pairs "
        "find no significant survival gain (Schwartz 2013), so the default is modest",
        description="closure hazard of a startup while incubated",
    )
    support_growth_bonus: float = parameter(
        0.10,
        le=5,
        unit="1/year",
        ge=0,
        source="incubation raises employment and sales growth (Amezcua, 'Boon or Boondoggle?'); "
        "level modelling assumption",
        description="extra drift of log desired size while incubated",
    )
    support_funding_multiplier: float = parameter(
        1.0,
        le=10,
        unit="multiplier",
        ge=0,
        source="no gain: accelerated companies raise less money than matched ones (Yu 2020, Management "
        "Science 66(2)), and a quality stamp without money does not raise later funding (Santoleri et al. "
        "2024, REStat; mechanisms.md 1.5); was 1.2, a modelling assumption",
        description="probability of raising the next round while incubated, relative",
    )
    post_programme_hazard_multiplier: float = parameter(
        1.2,
        unit="multiplier",
        ge=1,
        le=3,
        source="higher exit after incubation (Amezcua, Bradley, Wiklund et al., AOM Proceedings 2011, "
        "18,909 US incubated firms); accelerated companies close earlier and more often (Yu 2020, "
        "Management Science 66(2)); 1.0-1.2 after graduation (mechanisms.md 1.4); level modelling assumption",
        description="closure hazard of a startup in the months after it leaves an incubator",
    )
    post_programme_months: int = parameter(
        24,
        unit="months",
        ge=0,
        le=120,
        source=ASSUMPTION,
        description="months after the end of a programme during which the higher closure hazard applies",
    )
    model_entrant_share: float = parameter(
        0.3,
        unit="share",
        gt=0,
        le=1,
        source="calibrated so that 25-33 % of new startups are ever incubated (assumption: the review's "
        "range; Hathaway 2019: 21-28 % of US Series A companies went through an accelerator or incubator); "
        "of the incubators' documented entrants, a third of Accelerator M's first cohort came from Africa "
        "and the Mediterranean (Ecomnews 2019), 30-60 % of incubated projects become firms (CGE / iNNOECO "
        "survey, mechanisms.md 1.4), and startups often pass through several programmes",
        description="share of an incubator's entrants that are startups of the model: founded in the "
        "metropolis in the past two years, in their first programme",
    )
    max_startup_age_months: int = parameter(
        24,
        le=240,
        unit="months",
        ge=0,
        source=ASSUMPTION,
        description="oldest startup an incubator admits",
    )
    max_distance_km: float = parameter(
        40.0,
        le=200,
        unit="km",
        gt=0,
        source=ASSUMPTION,
        description="farthest startup an incubator admits",
    )
    selection_noise: float = parameter(
        1.0,
        le=10,
        unit="standard deviations of quality",
        ge=0,
        source=ASSUMPTION,
        description="noise with which incubators see a candidate's quality",
    )


class Incubator(mesa.Agent):
    """One incubator or accelerator."""

    def __init__(
        self, model: mesa.Model, row, params: IncubatorParameters, number: int, capacity: int | None = None
    ):
        super().__init__(model)
        self.number = number
        self.name = row.name
        self.zone = model.territory.zone_index(int(row.insee_code))
        self.x_km, self.y_km = (
            float(v[0]) for v in points_lambert93_km(np.array([row.lon]), np.array([row.lat]))
        )
        # real places (incubators are simulated one for one): given, or the row's
        self.capacity = int(row.capacity if capacity is None else capacity)
        self.cohort_months = int(row.cohort_months)
        self.programme_months = int(row.programme_months)
        sectors = row.sectors if isinstance(row.sectors, str) else ""
        self.sectors = frozenset(s for s in sectors.split(",") if s)
        self.params = params
        self.residents: set[Startup] = set()
        self.admitted = 0

    def accepts(self, startup: Startup, month: int) -> bool:
        if startup.ever_incubated or startup.age_months(month) > self.params.max_startup_age_months:
            return False
        return not self.sectors or startup.sector in self.sectors

    def intake(self, model: ModelView, candidates: list[Startup], month: int) -> None:
        """Admit the best-looking candidates into the free places."""
        free = self.capacity - len(self.residents)
        if free <= 0 or month % self.cohort_months:
            return
        key = model.keys(f"incubators.selection.{self.number}")
        scored = []
        for startup in candidates:
            if startup.incubator is not None or not self.accepts(startup, month):
                continue
            if model.territory.distance_km[self.zone, startup.zone] > self.params.max_distance_km:
                continue
            u1 = max(uniform(key, startup.key, 0), 1e-300)  # the startup's identity: the same in
            noise = np.sqrt(-2 * np.log(u1)) * np.cos(
                2 * np.pi * uniform(key, startup.key, 1)
            )  # any scenario
            scored.append((startup.quality + self.params.selection_noise * noise, startup.key, startup))
        scored.sort(key=lambda item: (-item[0], item[1]))
        for _, _, startup in scored[:free]:
            startup.incubator = self
            startup.incubation_end = month + self.programme_months
            startup.ever_incubated = True
            self.residents.add(startup)
            self.admitted += 1

    def release_graduates(self, month: int) -> None:
        """Startups whose programme ends leave, with a higher closure hazard for a while."""
        for startup in [s for s in self.residents if s.incubation_end <= month]:
            startup.incubator = None
            startup.post_programme_until = month + self.params.post_programme_months - 1
            startup.post_programme_hazard_multiplier = self.params.post_programme_hazard_multiplier
            self.residents.discard(startup)


class IncubatorNetwork(Submodel):
    """The incubators of the metropolis and their monthly intake."""

    def setup(self, model: ModelView) -> None:
        """The real incubators of the metropolis (data file incubators.csv)."""
        params = self.params
        self.agents = AgentSet([], random=model.random)
        table = read_data_csv("incubators.csv")
        for number, row in enumerate(table.itertuples(index=False), start=1):
            self.add(Incubator(model, row, params, number, capacity=places(row, params)))

    def add(self, incubator: Incubator) -> None:
        self.agents.add(incubator)

    def presence_by_zone(self, territory: Territory) -> np.ndarray:
        """Incubation capacity near each zone, sum of capacity x exp(-d / 5 km), scaled to mean 1."""
        presence = np.zeros(territory.n_zones)
        for incubator in self.agents:
            presence += incubator.capacity * np.exp(-territory.distance_km[incubator.zone] / 5.0)
        return presence / presence.mean() if presence.mean() > 0 else presence

    def step(self, model: ModelView, startups: Iterable[Startup]) -> None:
        """Graduations, then each incubator's intake among `startups` (the startups alive)."""
        month = model.month
        candidates = sorted(startups, key=lambda s: s.number)
        for incubator in sorted(self.agents, key=lambda a: a.number):
            incubator.release_graduates(month)
            incubator.intake(model, candidates, month)

    def summary(self) -> dict[str, float]:
        return {
            "incubator_places": float(sum(i.capacity for i in self.agents)),
            "incubated": float(sum(len(i.residents) for i in self.agents)),
        }


def places(row, params: IncubatorParameters) -> int:
    """Places for the model's startups of an incubator of the data file: its annual intake of them
    (documented intake x `model_entrant_share`) times the months a place is held (the programme,
    rounded up to whole intake cycles) / 12; at least one."""
    cohort, programme = int(row.cohort_months), int(row.programme_months)
    held = -(-programme // cohort) * cohort
    return max(1, round(float(row.annual_intake) * params.model_entrant_share * held / 12))
