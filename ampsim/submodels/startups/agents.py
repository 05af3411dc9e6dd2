"""A startup as a Mesa agent, one for one with the real startups; the foundings policies add; and
the open positions that the labour market sees.

Startups are simulated at full resolution whatever the residents' scale. A startup's positions
(0, 1, 2, ... up to its size) are each marked once, with probability equal to the scale, as held
by a simulated resident; the others are held by people the model does not simulate ("outside"
staff). So a 10-person startup is 10 jobs at every scale, and, on average, a share `scale` of its
hires come from the simulated residents, as each real hire does from the real population.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np

from ampsim.core.rng import draws

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
    """Open positions of the startups held by simulated residents, grouped by zone (CSR): the
    labour market's view."""

    ids: np.ndarray  # startup numbers, sorted by zone
    zone: np.ndarray  # zone of each
    open: np.ndarray  # open positions of each
    zone_start: np.ndarray  # startups of zone z are [zone_start[z], zone_start[z + 1])


@dataclass
class PositionMarks:
    """Which of a startup's positions are held by simulated residents: position k is when the
    startup's k-th draw of the positions stream is below the scale (drawn once, as needed)."""

    key: np.uint64  # the positions stream of the run
    startup_key: int  # the startup's identity
    scale: float
    simulated: list[int] = field(default_factory=lambda: [0])  # simulated[k]: among positions < k

    def among_first(self, positions: int) -> int:
        """How many of positions 0 .. positions - 1 are held by simulated residents."""
        if positions >= len(self.simulated):
            start = len(self.simulated) - 1
            marks = draws(self.key, np.int64(self.startup_key), start, positions - start + 8) < self.scale
            for mark in marks:
                self.simulated.append(self.simulated[-1] + int(mark))
        return self.simulated[max(positions, 0)]


class Startup(mesa.Agent):
    """One real startup: its identity (`key`, the same in every scenario), attributes, stage,
    funding, desired size and staff, simulated and outside."""

    def __init__(
        self,
        model: mesa.Model,
        number: int,
        key: int,
        zone: int,
        sector: str,
        founded_month: int,
        quality: float,
        marks: PositionMarks,
    ):
        super().__init__(model)
        self.number = number  # this run's id, the residents' employer code
        self.key = key  # identity: zone, founding month and rank, so the same in every scenario
        self.zone = zone
        self.sector = sector
        self.founded_month = founded_month
        self.quality = quality
        self.marks = marks
        self.stage = 0
        self.funding_eur = 0.0
        self.desired_size = 1.0
        self.simulated_staff = 0  # residents who work here (counted from their employer)
        self.outside_staff = 0  # staff the model does not simulate
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
    def employees(self) -> int:
        """Real staff: simulated residents plus outside staff."""
        return self.simulated_staff + self.outside_staff

    @property
    def size(self) -> int:
        """Positions the startup wants filled."""
        return max(1, round(self.desired_size))

    def simulated_positions(self) -> int:
        """Of its positions, those held by simulated residents."""
        return self.marks.among_first(self.size)

    @property
    def open_positions(self) -> int:
        """Open positions for simulated residents (what the labour market fills)."""
        return max(0, self.simulated_positions() - self.simulated_staff)

    @property
    def open_outside_positions(self) -> int:
        """Open positions for outside staff."""
        return max(0, self.size - self.simulated_positions() - self.outside_staff)
