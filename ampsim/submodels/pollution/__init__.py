"""Air pollution: monthly NO2, PM10, PM2.5, SO2 and ozone fields over the grid, from emissions and wind.

A month's NOx, particles and SO2 in every cell of the full grid (sea included) are

    C_p = B_p(month, year) + sum_r w_r(month) * sum_s (E_s,p * K_r,h(s))

B_p is a regional background with a seasonal cycle and a baseline trend; w_r the month's frequency
of wind regime r (Mistral, sea breeze, calm, moderate variable wind); E_s,p the emission grid of
source s: ground-level road traffic (exhaust and non-exhaust) and heating where the simulated
residents live that month, industrial stacks and their ground-level fugitive dust, the ports;
K_r,h a ground-level response kernel for regime r and release height h: a Gaussian plume with
Briggs urban dispersion, a mixing lid, a wind-direction rose and first-order loss, averaged over
source and receptor cells. A cell's NOx and the background ozone then split into NO2 and O3 by
the photostationary balance (`chemistry`), so NO titrates ozone near traffic. A traffic station
samples its street: a near-road increment by road type (`roadside`).

Industry and port fields are convolved once per regime at start; a month costs three forward and
three inverse FFTs of the ground-level emission grids. The equations, the values and their
sources are in docs/pollution.md.

Modules: `emission_parameters` and `parameters` (what can be set, with sources), `dispersion` (wind
regimes, plumes and kernels), `fields` (sources on the grid and the static fields), `chemistry`
(NO-NO2-O3), `roadside` (the street at a traffic station), `model` (the monthly update).
"""

from ampsim.submodels.pollution.fields import commute_paths
from ampsim.submodels.pollution.model import AIR_POLLUTANTS, PollutionModel
from ampsim.submodels.pollution.parameters import PollutionParameters
from ampsim.world.stations import POLLUTANTS, station_table

__all__ = [
    "AIR_POLLUTANTS",
    "POLLUTANTS",
    "PollutionModel",
    "PollutionParameters",
    "commute_paths",
    "station_table",
]
