"""The labour market: separations, and a matching function per work zone with commuting decay.

Established employers are not agents: each zone has a number of incumbent jobs, and its vacancies
are the jobs not filled, plus the open positions of the startups located there. Every month:

1. employed residents lose their job (to unemployment or inactivity) at rates that depend on age
   and diploma, those who work outside the metropolis (out-commuters) as the others;
2. job seekers find jobs outside the metropolis, at a rate per unit of search effort that follows
   their home zone's finding rate in the metropolis and their home's closeness to the boundary, so
   that out-commuters stay near their share of the employed residents; they fill no vacancy here;
3. job seekers of home zone h offer search effort e_i (diploma, a completed training course,
   long-term unemployment, the zone's calibrated multiplier m_h), shared among work zones w in
   proportion to F_hw = exp(-d_hw / lambda) (shares summing to one);
4. zone w makes M_w = min(V_w, A U*_w^alpha V_w^(1 - alpha)) hires, U*_w = sum_h m_h F_hw E_h
   (Petrongolo & Pissarides 2001), F here being the shares;
5. a seeker of zone h is hired with probability 1 - exp(-e_i phi_h), phi_h = m_h sum_w M_w F_hw /
   U*_w, into a work zone drawn in proportion to M_w F_hw / U*_w, and into a startup there with
   probability proportional to the startups' open positions (weighted by diploma), else into an
   incumbent job. A zone never hires more people than it has vacancies.

The matching efficiency A and the zone multipliers m_h are calibrated during the spin-up before
the first simulated month, so that each zone's unemployment rate matches its census rate (and the
in-commuters' search effort and the residents' outside finding ratio, so that both flows across
the boundary hold their shares); they are then frozen, and policies move unemployment only
through the mechanisms above.

Modules: `parameters`; `matching` (search effort, the month's counts by zone, the matching
function); `hiring` (outside job finds, job finders, their hiring, direct placements by
policies); `market` (the `LabourMarket` submodel: separations, the monthly step, the
calibration).
"""

from ampsim.submodels.labour.hiring import HireCounts, Openings, hire_job_finders, place_local_hires
from ampsim.submodels.labour.market import LabourMarket, SeparationRates, separation_kernel
from ampsim.submodels.labour.matching import SearchTables
from ampsim.submodels.labour.parameters import LabourParameters

__all__ = [
    "HireCounts",
    "LabourMarket",
    "LabourParameters",
    "Openings",
    "SearchTables",
    "SeparationRates",
    "hire_job_finders",
    "place_local_hires",
    "separation_kernel",
]
