"""What an evaluation found, and what a virtual experiment measured in the model.

`Evidence` is a published estimate with its 95 % interval and where the interval comes from (a
published interval, or one reconstructed from what the paper reports, said so). `Measurement` is
one replicate of a virtual experiment: the participants' mean outcome with the programme and the
same participants' mean outcome in the paired baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

EffectKind = Literal["difference", "ratio"]
# "evaluated": held to an independent evaluation; "calibrated": the parameter was set from this very
# estimate, so the check verifies the channel's size, not the model; "assumption": no evaluation
# applies, the effect rests on an assumption and gets no verdict
EvidenceStatus = Literal["evaluated", "calibrated", "assumption"]


@dataclass(frozen=True)
class Evidence:
    """A published effect: point estimate and 95 % interval, in the experiment's unit."""

    study: str  # author, year, journal or report
    estimate: float
    low: float
    high: float
    interval_basis: str  # "published 95 % interval", or how the interval was reconstructed
    applies: str = ""  # how the evaluated programme differs from the simulated one, if it does
    status: EvidenceStatus = "evaluated"

    def contains(self, value: float) -> bool:
        return self.status != "assumption" and self.low <= value <= self.high

    def verdict(self, value: float) -> str:
        """'yes' or 'no' (inside the interval), marked when circular; 'no evaluation: assumption'."""
        if self.status == "assumption":
            return "no evaluation: assumption"
        inside = "yes" if self.contains(value) else "no"
        return f"{inside} (calibrated on it)" if self.status == "calibrated" else inside


@dataclass(frozen=True)
class Measurement:
    """One replicate: participants' outcomes with the programme (`treated`) and in the paired
    baseline (`control`), as sums over `participants` (a rate is sum / participants)."""

    treated: float
    control: float
    participants: int
    squares: float = float("nan")  # sum over participants of (treated - control) squared, when paired

    def effect(self, kind: EffectKind) -> float:
        """Difference of the means (in the outcome's unit), or their ratio."""
        if self.participants == 0:
            return float("nan")
        if kind == "ratio":
            return self.treated / self.control if self.control > 0 else float("nan")
        return (self.treated - self.control) / self.participants

    def paired_standard_error(self) -> float:
        """Standard error of a difference of means from the participants' paired differences."""
        n = self.participants
        if n < 2 or not np.isfinite(self.squares):
            return float("nan")
        mean = (self.treated - self.control) / n
        variance = max(self.squares / n - mean**2, 0.0) * n / (n - 1)
        return float(np.sqrt(variance / n))
