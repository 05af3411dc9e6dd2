"""Startups: founding, survival, growth, funding and hiring, as Mesa agents.

A startup agent stands for 1/scale real startups (as a resident stands for 1/scale people), so
its employees are simulated residents and every count is reported in real units. Each month:

- established startups of 8 years leave the startup population; their jobs become incumbent jobs;
- a startup closes with a monthly hazard that falls with age ("liability of newness"),
  calibrated to 60 % of a founding cohort alive after five years in the region (INSEE), lowered
  once it has raised a round, while it is incubated and during a seed-fund ticket's window, and
  raised for a while after it leaves an incubator; its employees become job seekers;
- its desired size follows a log random walk with Laplace shocks whose volatility falls with
  size (Gibrat-type growth, Fu et al. 2005), pushed up by quality, youth and incubation; funding
  rounds arrive as staged events (pre-seed, seed, series A, series B+), each funded only while the
  region's investors have capacity for its stage, and pay for positions for their runway; a
  seed-fund ticket makes the next round likelier for a limited window;
- its open positions (desired size minus staff) are vacancies of its zone in the labour market,
  where it hires residents; hires who live in a priority neighbourhood (QPV) are counted;
- new startups are founded in each zone at a rate proportional to the zone's graduates of working
  age, more near incubators; the founder is a resident of the zone, who then works there.

Random draws are counter-based, keyed by the startup's identity (`key`: zone, founding month and
rank), so a startup's fate does not depend on unrelated events (common random numbers between
scenarios).

Modules: `parameters` (with the sectors and funding stages); `agents` (a startup, the foundings
policies add, the open positions the labour market sees); `staff` (the kernels over residents:
founders, staff counts, releases at closures, layoffs and graduations); `investors` (the
region's capacity for rounds of each stage); `sector` (the `StartupSector` submodel).
"""

from ampsim.submodels.startups.agents import ExtraFounding, NextRoundSupport, OpenPositions, Startup
from ampsim.submodels.startups.parameters import SECTORS, STAGES, StartupParameters
from ampsim.submodels.startups.sector import StartupSector

__all__ = [
    "SECTORS",
    "STAGES",
    "ExtraFounding",
    "NextRoundSupport",
    "OpenPositions",
    "Startup",
    "StartupParameters",
    "StartupSector",
]
