"""A scenario and its baseline stepped month by month in lockstep, with the same seed and replicate.

Under common random numbers the two runs draw the same numbers for the same purposes, so the
counterfactual of a participant of the scenario's programme is the same resident (or startup) in
the baseline run: what an evaluation's comparison group estimates, without its sampling error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ampsim.model import AMPModel, RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.runner import build_model


class PairedRuns:
    """The baseline and the scenario, built with the same settings, advanced together."""

    def __init__(self, baseline: Scenario, scenario: Scenario, settings: RunSettings):
        self.settings = settings
        self.baseline: AMPModel = build_model(baseline, settings)
        self.scenario: AMPModel = build_model(scenario, settings)

    @property
    def month(self) -> int:
        """Months simulated so far (the same in both runs)."""
        return self.scenario.month

    @property
    def running(self) -> bool:
        return self.scenario.running and self.baseline.running

    def step(self) -> None:
        """Simulate one month of each run."""
        self.baseline.step()
        self.scenario.step()

    def run(self, observe: Callable[[PairedRuns], None]) -> None:
        """Step to the end of the settings' months, calling `observe(self)` after each month."""
        while self.running:
            self.step()
            observe(self)

    def close(self) -> None:
        self.baseline.close()
        self.scenario.close()


@contextmanager
def paired_runs(baseline: Scenario, scenario: Scenario, settings: RunSettings) -> Iterator[PairedRuns]:
    """`PairedRuns` that release their models at the end."""
    pair = PairedRuns(baseline, scenario, settings)
    try:
        yield pair
    finally:
        pair.close()
