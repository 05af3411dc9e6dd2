"""Where a programme's jobs come from: a share relocated, with their staff, from elsewhere in the
metropolis, the rest net new and filled through the labour market (by residents or in-commuters).

The default share relocated is the boundary parameters' (`ampsim/world/boundary.py`): the lower
end of the enterprise-zone evidence, where two thirds of the establishments entering the 2004
zones were transfers (Rathelot & Sillard 2009) and 50-80 % of jobs were relocations (Papke 1993).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from ampsim.world.boundary import BoundaryParameters

if TYPE_CHECKING:
    from ampsim.model import AMPModel

RELOCATED_SHARE = BoundaryParameters.model_fields["relocated_share"].default


def relocated_share_field() -> float:
    """The `relocated_share` setting of a job-creating programme, with its default and source."""
    return Field(
        RELOCATED_SHARE,
        ge=0,
        le=1,
        description="share of the jobs that firms bring, with their staff, from elsewhere in the "
        "metropolis (default: the lower end of the enterprise-zone evidence, 50-80 % relocations, "
        "Rathelot & Sillard 2009, Papke 1993)",
    )


class JobDelivery:
    """Delivers a programme's jobs month by month into its zones: the relocated share moves
    existing jobs with their holders, the rest are new vacancies. Relocations are whole jobs, so
    each zone's are rounded up and the excess carried as a credit: the share delivered is never
    below the declared one, and exceeds it by less than a job per zone."""

    def __init__(self, zones: np.ndarray, relocated_share: float, stream: str):
        self.zones = zones
        self.relocated_share = relocated_share
        self.stream = stream
        self.owed = np.zeros(zones.size)
        self.relocated = 0  # simulated jobs moved in with their staff
        self.new = 0.0  # simulated net new jobs

    def deliver(self, model: AMPModel, jobs: np.ndarray) -> np.ndarray:
        """Deliver `jobs` (whole, by zone) this month; returns the net new jobs of each zone."""
        self.owed += jobs * self.relocated_share
        relocated = np.clip(np.ceil(self.owed - 1e-9), 0, jobs)
        self.owed -= relocated
        self.relocated += model.labour.relocate_jobs(
            model, self.zones, relocated.astype(np.int64), self.stream
        )
        new = jobs - relocated
        model.labour.add_jobs(self.zones, new)
        self.new += float(new.sum())
        return new
