"""Small read queries for pickers and labels: (conn, …) -> DataFrame, parameters bound."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from tne_dash.store.models import Commune, Departement, Venue


def departements(conn: Connection) -> pd.DataFrame:
    """Code, name and TNE cohort (None outside the TNE) of every département, by code."""
    stmt = select(Departement.code, Departement.name, Departement.tne_cohort).order_by(
        Departement.code)
    return pd.read_sql(stmt, conn)


def communes_of(conn: Connection, departement_code: str) -> pd.DataFrame:
    """Code and name of the communes of a département, by name."""
    stmt = (
        select(Commune.code_insee, Commune.name, Commune.population)
        .where(Commune.departement_code == departement_code)
        .order_by(Commune.name)
    )
    return pd.read_sql(stmt, conn)


def all_communes(conn: Connection) -> pd.DataFrame:
    """Code, name, département and population of every commune (the search list)."""
    stmt = select(Commune.code_insee, Commune.name, Commune.departement_code,
                  Commune.population).order_by(Commune.code_insee)
    return pd.read_sql(stmt, conn)


def departement_of_commune(conn: Connection, code_insee: str) -> str | None:
    """The département code of a commune, None when the code is unknown."""
    return conn.scalar(select(Commune.departement_code).where(Commune.code_insee == code_insee))


def venues_of(conn: Connection, commune_code: str) -> pd.DataFrame:
    """Id, name and kind of the workshop venues of a commune, by name."""
    stmt = (select(Venue.id, Venue.name, Venue.kind).where(Venue.commune_code == commune_code)
            .order_by(Venue.name))
    return pd.read_sql(stmt, conn)
