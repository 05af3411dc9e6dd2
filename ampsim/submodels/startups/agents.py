"""A startup as a Mesa agent, one for one with the real startups; the foundings policies add; and
the open positions that the labour market sees.

Startups are simulated at full resolution whatever the residents' scale. A startup's positions
(0, 1, 2, ... up to its size) are each marked once, with probability equal to the scale, as held
by a simulated resident; the others are held by people the model does not simulate ("outside"
staff). So a 10-person startup is 10 jobs at every scale, and, on average, a share `scale` of its
hires come from the simulated residents, as each real hire does from the real population.
"""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class NextRoundSupport:
    """Support for one startup's next round, for a limited window: a public ticket pays for the
    prototype that makes the next round likelier (Howell 2017), not for every round after it. The
    funding multiplier applies while the startup is still at `stage` and the month is at most
    `until_month`; the hazard multiplier (a longer runway) until `until_month` only."""

    stage: int  # the startup's funding stage when it got the support: only the round from it is boosted
    until_month: int  # last month of the window
    funding_multiplier: float = 1.0
    hazard_multiplier: float = 1.0

    def funding(self, stage: int, month: int) -> float:
        """Multiplier of the monthly probability of raising a round from `stage` in `month`."""
        return self.funding_multiplier if stage == self.stage and month <= self.until_month else 1.0

    def hazard(self, month: int) -> float:
        """Multiplier of the closure hazard in `month`."""
        return self.hazard_multiplier if month <= self.until_month else 1.0


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
        self.desired_size = 1.0  # positions its business pays for (a log random walk)
        self.paid_positions: list[tuple[int, float]] = []  # (last month, positions) paid by money raised
        self.simulated_staff = 0  # residents who work here (counted from their employer)
        self.outside_staff = 0  # staff the model does not simulate
        self.incubator: Incubator | None = None
        self.incubation_end = -1
        self.ever_incubated = False
        self.post_programme_until = -1  # last month of the higher hazard after leaving an incubator
        self.post_programme_hazard_multiplier = 1.0
        # support from policies (a seed fund, a science park): 1, 0, 1 without any
        self.hazard_multiplier = 1.0
        self.growth_bonus = 0.0  # per year, added to the drift of log desired size
        self.funding_multiplier = 1.0
        self.next_round_support: list[NextRoundSupport] = []  # from seed funds: temporary, next round only

    def age_months(self, month: int) -> int:
        return month - self.founded_month

    def support_funding_multiplier(self, month: int) -> float:
        """Product of the temporary supports' multipliers of this month's next-round probability."""
        return math.prod(s.funding(self.stage, month) for s in self.next_round_support)

    def support_hazard_multiplier(self, month: int) -> float:
        """Product of the temporary supports' multipliers of this month's closure hazard."""
        return math.prod(s.hazard(month) for s in self.next_round_support)

    def fund_positions(self, positions: float, last_month: int) -> None:
        """Positions paid by money raised (a round, a ticket) until `last_month`, when it is spent."""
        self.paid_positions.append((last_month, positions))

    def spend_funding(self, month: int) -> None:
        """Drop the positions whose money was spent before `month`."""
        if self.paid_positions:
            self.paid_positions = [(last, n) for last, n in self.paid_positions if last >= month]

    @property
    def employees(self) -> int:
        """Real staff: simulated residents plus outside staff."""
        return self.simulated_staff + self.outside_staff

    @property
    def size(self) -> int:
        """Positions the startup wants filled: those its business pays for and those its money
        raised still pays for."""
        return max(1, round(self.desired_size + sum(n for _, n in self.paid_positions)))

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
