"""NO-NO2-O3: a cell's NOx and oxidant split into NO2 and ozone by the photostationary balance.

Next to traffic, NO titrates ozone into NO2: where NOx is high, ozone is low and NO2 is capped by
the oxidant available, so cutting NOx lowers NO2 less than in proportion and raises ozone in the
core. With n the NOx and x the oxidant (O3 + NO2) of a cell, in ppb, NO2 = y solves

    L y = (n - y) (x - y),   L = J / k, the effective photostationary (Leighton) ratio,

and O3 = x - y. The oxidant is the regional background ozone plus the NO2 emitted as such
(`primary_no2_fraction` of the NOx). Concentrations are in µg/m³ outside this module; NOx is
counted as NO2 mass.
"""

from __future__ import annotations

import numpy as np

UG_PER_PPB_NO2 = 1.88  # µg/m³ per ppb at 25 °C and 1 atm
UG_PER_PPB_O3 = 2.00


def partition(
    nox_ug: np.ndarray, ozone_background_ug: float, primary_fraction: float, leighton_ppb: float
) -> tuple[np.ndarray, np.ndarray]:
    """NO2 and O3 (µg/m³) of cells with NOx `nox_ug` (µg/m³ as NO2) under a background ozone."""
    n = np.maximum(np.asarray(nox_ug, dtype=np.float64), 0.0) / UG_PER_PPB_NO2
    x = ozone_background_ug / UG_PER_PPB_O3 + primary_fraction * n
    total = n + x + leighton_ppb
    no2 = 2.0 * n * x / (total + np.sqrt(np.maximum(total * total - 4.0 * n * x, 0.0)))  # the smaller root
    return no2 * UG_PER_PPB_NO2, (x - no2) * UG_PER_PPB_O3


def nox_for_no2(
    no2_ug: float, ozone_background_ug: float, primary_fraction: float, leighton_ppb: float
) -> float:
    """The NOx (µg/m³ as NO2) whose partition gives `no2_ug` of NO2: the regional background's NOx."""
    y = no2_ug / UG_PER_PPB_NO2
    x0 = ozone_background_ug / UG_PER_PPB_O3
    if y <= 0:
        return 0.0
    if y >= x0:
        raise ValueError(f"background NO2 {no2_ug} µg/m³: expected less than the background ozone's oxidant")
    # (n - y)(x0 + p n - y) = L y: p n² + (x0 - y - p y) n - y (x0 - y + L) = 0
    p = primary_fraction
    b = x0 - y - p * y
    c = -y * (x0 - y + leighton_ppb)
    n = -c / b if p == 0 else (-b + np.sqrt(b * b - 4 * p * c)) / (2 * p)
    return float(n) * UG_PER_PPB_NO2
