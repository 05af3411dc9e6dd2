"""The region's investors: a limited number of rounds of each stage a year, so that a round a
policy brings forward can take another startup's place.

Each month a stage's capacity grows by its rounds a year / 12; capacity left unused is carried, up
to `carry_months` months of it (investors' dry powder). The month's applicants — startups whose
draw says they would raise their next round — are funded by stage, the best first (investors
screen on quality, ties broken by identity), while capacity lasts; the others try again in a
later month. Without this, nothing limits the private capital of the region's investors and a seed
fund's tickets create rounds out of nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ampsim.submodels.startups.agents import Startup


@dataclass
class InvestorPool:
    """Capacity of each stage's round (pre-seed to seed, seed to series A, A to B+), in rounds."""

    rounds_per_year: tuple[float, ...]
    carry_months: float
    available: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.available:  # full at the start: investors are not short at once
            self.available = [self.cap(stage) for stage in range(len(self.rounds_per_year))]

    def cap(self, stage: int) -> float:
        """Most capacity a stage's investors carry, in rounds."""
        return self.rounds_per_year[stage] / 12 * self.carry_months

    def fund(self, applicants: Sequence[Startup]) -> list[Startup]:
        """Of this month's applicants, those the investors fund (the rest wait)."""
        funded: list[Startup] = []
        for stage, per_year in enumerate(self.rounds_per_year):
            self.available[stage] = min(self.available[stage] + per_year / 12, self.cap(stage))
            candidates = sorted(
                (s for s in applicants if s.stage == stage), key=lambda s: (-s.quality, s.key)
            )
            granted = min(len(candidates), int(self.available[stage] + 1e-9))
            self.available[stage] -= granted
            funded += candidates[:granted]
        return funded
