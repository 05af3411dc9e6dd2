"""Air pollution: monthly NO2, PM10 and PM2.5 fields over the grid, from emissions and wind.

A month's concentration in every cell of the full grid (sea included) is

    C_p = B_p(month, year) + sum_r w_r(month) * sum_s (E_s,p * K_r,h(s))

B_p is a regional background with a seasonal cycle and a baseline trend; w_r the month's frequency
of wind regime r (Mistral, sea breeze, calm, moderate variable wind); E_s,p the emission grid of
source s (industry stacks, port and shipping, road traffic, residential heating); K_r,h a
ground-level response kernel for regime r and release height h: a Gaussian plume with Briggs urban
dispersion, a mixing lid, a wind-direction rose and first-order loss, averaged over source and
receptor cells. NO2 comes from NOx through a fraction that grows with distance from the source.

Static sources (industry, port, heating) are convolved once per regime at start; only road traffic
changes from month to month, so a month costs one forward FFT of the traffic grid and two inverse
FFTs. The equations, the values and their sources are in docs/pollution.md.

Modules: `parameters` (what can be set, with sources), `dispersion` (wind regimes, plumes and
kernels), `fields` (sources on the grid and the static fields), `model` (the monthly update).
"""

from ampsim.submodels.pollution.fields import commute_paths
from ampsim.submodels.pollution.model import PollutionModel
from ampsim.submodels.pollution.parameters import PollutionParameters
from ampsim.world.stations import POLLUTANTS, station_table

__all__ = ["POLLUTANTS", "PollutionModel", "PollutionParameters", "commute_paths", "station_table"]
