"""The air-quality monitoring stations of the metropolis (AtmoSud) and the pollutants they measure."""

from __future__ import annotations

import pandas as pd

from ampsim.world.geometry import points_lambert93_km
from ampsim.world.territory import read_data_csv

POLLUTANTS = ("NO2", "PM10", "PM2.5")


def station_table() -> pd.DataFrame:
    """The 23 monitoring stations of ampsim/world/data/stations.csv with Lambert-93 km and `roadside`.

    Columns: station (as in the file), code (e.g. FR03006), name, type, road_type (the street a
    traffic station samples, "" elsewhere), x_km, y_km, roadside (True for traffic stations),
    industrial (True for industrial stations).
    """
    table = read_data_csv("stations.csv")
    table["type"] = table["type"].fillna("")
    table["road_type"] = table["road_type"].fillna("")
    table["code"] = table["station"].str.extract(r"\[(\w+)\]\s*$", expand=False)
    table["name"] = table["station"].str.replace(r"\s*\[\w+\]\s*$", "", regex=True)
    table["x_km"], table["y_km"] = points_lambert93_km(table["lon"].to_numpy(), table["lat"].to_numpy())
    table["roadside"] = table["type"].str.startswith("traffic")
    if not table["road_type"].astype(bool).equals(table["roadside"]):
        raise ValueError("stations.csv: road_type: expected a road type for every traffic station only")
    table["industrial"] = table["type"].str.startswith("industrial")
    return table
