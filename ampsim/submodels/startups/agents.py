"""A startup as a Mesa agent, the foundings policies add, and the open positions that the labour
market sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from ampsim.submodels.incubators import Incubator


@dataclass(frozen=True)
class ExtraFounding:
    """Foundings a policy adds: `rate` real startups a month in `zone`, in `sectors`."""

    zone: int
    rate: float
    sectors: tuple[str, ...]


@dataclass
class OpenPositions:
    """Open positions of the startups, grouped by zone (CSR): the labour market's view."""

    ids: np.ndarray  # startup numbers, sorted by zone
    zone: np.ndarray  # zone of each
    open: np.ndarray  # open positions of each
    zone_start: np.ndarray  # startups of zone z are [zone_start[z], zone_start[z + 1])


class Startup(mesa.Agent):
    """One (representative) startup."""

    def __init__(
        self, model: mesa.Model, number: int, zone: int, sector: str, founded_month: int, quality: float
    ):
        super().__init__(model)
        self.number = number
        self.zone = zone
        self.sector = sector
        self.founded_month = founded_month
        self.quality = quality
        self.stage = 0
        self.funding_eur = 0.0
        self.desired_size = 1.0
        self.employees = 0
        self.incubator: Incubator | None = None
        self.incubation_end = -1
        self.ever_incubated = False
        # support from policies (a seed fund, a science park): 1, 0, 1 without any
        self.hazard_multiplier = 1.0
        self.growth_bonus = 0.0  # per year, added to the drift of log desired size
        self.funding_multiplier = 1.0

    def age_months(self, month: int) -> int:
        return month - self.founded_month

    @property
    def open_positions(self) -> int:
        return max(0, round(self.desired_size) - self.employees)
