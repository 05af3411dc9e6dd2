"""The virtual experiments `ampsim evaluate` runs, one per programme type, by name."""

from __future__ import annotations

from ampsim.studies.evaluation.access_experiments import TRANSIT
from ampsim.studies.evaluation.air_experiments import LOW_EMISSION_ZONE
from ampsim.studies.evaluation.experiment import VirtualExperiment
from ampsim.studies.evaluation.information_experiments import SENSORS
from ampsim.studies.evaluation.participation_experiments import PARTICIPATORY_BUDGET
from ampsim.studies.evaluation.renewal_experiments import URBAN_RENEWAL
from ampsim.studies.evaluation.startup_experiments import INCUBATORS, SEED_FUND
from ampsim.studies.evaluation.youth_experiments import YOUTH_TRAINING

EXPERIMENTS: tuple[VirtualExperiment, ...] = (
    YOUTH_TRAINING,
    URBAN_RENEWAL,
    SEED_FUND,
    INCUBATORS,
    LOW_EMISSION_ZONE,
    TRANSIT,
    SENSORS,
    PARTICIPATORY_BUDGET,
)


def experiments_named(names: list[str] | None) -> list[VirtualExperiment]:
    """The experiments with these names (all when None); ValueError names the unknown one."""
    if not names:
        return list(EXPERIMENTS)
    known = {e.name: e for e in EXPERIMENTS}
    for name in names:
        if name not in known:
            raise ValueError(f"unknown experiment {name!r}; expected one of: {', '.join(known)}")
    return [known[name] for name in names]
