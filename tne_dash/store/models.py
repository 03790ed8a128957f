"""The data model: typed SQLAlchemy 2.0 ORM. Counts only — no table holds a person's name.

Reference tables (region … cnfs_structure) come from the shipped open data; activity tables
(venue … external_measure) carry a ``source`` so demo rows can always be told apart.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Codes are text: "2A", "971", "01001".
DEP_CODE = String(3)
INSEE_CODE = String(5)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Departement(Base):
    __tablename__ = "departement"

    code: Mapped[str] = mapped_column(DEP_CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    zone: Mapped[str] = mapped_column(String(5))  # metro / drom / com
    population: Mapped[int] = mapped_column(Integer)
    # Cohort.PILOT_2020 / Cohort.EXTENSION_2021, None outside the TNE.
    tne_cohort: Mapped[str | None] = mapped_column(String(20), index=True)


class Commune(Base):
    __tablename__ = "commune"

    code_insee: Mapped[str] = mapped_column(INSEE_CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    departement_code: Mapped[str] = mapped_column(ForeignKey("departement.code"), index=True)
    epci_code: Mapped[str | None] = mapped_column(String(9), index=True)
    epci_name: Mapped[str | None] = mapped_column(String(150))
    population: Mapped[int] = mapped_column(Integer)
    # A point guaranteed inside the commune's polygon (None for the COM).
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    departement: Mapped[Departement] = relationship()


class School(Base):
    __tablename__ = "school"

    uai: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(12), index=True)  # SchoolLevel
    sector: Mapped[str | None] = mapped_column(String(7))  # public / prive / None if unknown
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code_insee"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # True when the position is the commune's, not the school's own (REP écoles).
    position_is_commune: Mapped[bool] = mapped_column(Boolean, default=False)
    education_prioritaire: Mapped[str | None] = mapped_column(String(4))  # REP / REP+
    # Programme data (the 25 % objective): target of the departmental strategy, and the date
    # its school project got a "numérique et parentalité" part (PCN).
    strategy_target: Mapped[bool] = mapped_column(Boolean, default=False)
    pcn_since: Mapped[dt.date | None] = mapped_column(Date)
    programme_source: Mapped[str | None] = mapped_column(String(10))  # Source of the two above


class CnfsStructure(Base):
    """A host structure of Conseillers numériques France Services (real ANCT file, 2023)."""

    __tablename__ = "cnfs_structure"

    id: Mapped[int] = mapped_column(primary_key=True)
    siret: Mapped[str] = mapped_column(String(14), index=True)  # not unique in the file
    name: Mapped[str] = mapped_column(String(200))
    public_private: Mapped[str] = mapped_column(String(8))  # publique / privée
    employer_kind: Mapped[str] = mapped_column(String(20))  # EmployerKind
    posts: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code_insee"), index=True)
    coselec_date: Mapped[dt.date | None] = mapped_column(Date)
    france_services: Mapped[bool] = mapped_column(Boolean, default=False)


class Venue(Base):
    __tablename__ = "venue"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)  # VenueKind
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code_insee"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    school_uai: Mapped[str | None] = mapped_column(ForeignKey("school.uai"))
    source: Mapped[str] = mapped_column(String(10))


class Workshop(Base):
    """One workshop (or individual support session): counts of people, never names."""

    __tablename__ = "workshop"
    __table_args__ = (
        # Scope + period filters hit (commune, date) together on every indicator query.
        Index("ix_workshop_commune_date", "commune_code", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code_insee"))
    phase: Mapped[str] = mapped_column(String(20))  # Phase
    format: Mapped[str] = mapped_column(String(30))  # WorkshopFormat
    duration_minutes: Mapped[int] = mapped_column(Integer)
    facilitator_kind: Mapped[str] = mapped_column(String(20))  # FacilitatorKind
    parents_count: Mapped[int] = mapped_column(Integer)
    # Parents attending a workshop for the first time: their sum counts distinct parents.
    first_time_parents_count: Mapped[int] = mapped_column(Integer)
    children_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10), index=True)  # Source
    # Key of idempotent re-imports (template ``reference`` or the Coop ``ID CRA``).
    external_ref: Mapped[str | None] = mapped_column(String(80), unique=True)

    themes: Mapped[list[WorkshopTheme]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class WorkshopMonth(Base):
    """Workshops summed per commune, venue, month and source: what the indicator path reads
    instead of a million workshops when no workshop attribute is filtered.

    Never written on its own: ``store/workshop_months.py`` rewrites the rows of every
    (commune, month) a write touches, in that write's transaction, from ``workshop`` itself.
    ``venue_id`` is kept so that distinct venues stay countable (NULL: no venue).
    """

    __tablename__ = "workshop_month"
    # Every column, led by (commune, month): a territory's months by seek, any period of the
    # whole table from the index alone (a national total: 90 ms on SQLite for 430 000 rows).
    __table_args__ = (Index("ix_workshop_month_commune_month", "commune_code", "month",
                            "venue_id", "source", "workshops", "participations",
                            "parents_reached", "children_reached", "duration_minutes",
                            "last_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code_insee"))
    # No foreign key: an undo deletes a venue before the refresh at its end drops its sums.
    venue_id: Mapped[int | None] = mapped_column(Integer)
    month: Mapped[dt.date] = mapped_column(Date)  # its first day
    source: Mapped[str] = mapped_column(String(10))  # Source
    workshops: Mapped[int] = mapped_column(Integer)
    participations: Mapped[int] = mapped_column(Integer)
    parents_reached: Mapped[int] = mapped_column(Integer)
    children_reached: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    last_date: Mapped[dt.date] = mapped_column(Date)  # of its latest workshop (freshness)


class WorkshopTheme(Base):
    __tablename__ = "workshop_theme"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)  # Theme


class ParentsRessourcesCount(Base):
    """Parents Ressources of a commune over a period: counts only, never names."""

    __tablename__ = "parents_ressources_count"
    __table_args__ = (
        UniqueConstraint("commune_code", "period_start", "period_end"),
        # Each commune's latest count (the stock of active PR) is found by a seek on both
        # columns; see migration 0002.
        Index("ix_parents_ressources_count_commune_period_end", "commune_code", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code_insee"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    # A count belongs to the dates that contain its period's end. No index of its own
    # (migration 0005): a period reads nearly every count.
    period_end: Mapped[dt.date] = mapped_column(Date)
    recruited: Mapped[int] = mapped_column(Integer)
    active: Mapped[int] = mapped_column(Integer)  # a stock at period_end, not a flow
    meetings: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))


class RolloutYear(Base):
    """One year of a commune's roll-out plan: year 1 acculturation → 2 → 3 autonomie."""

    __tablename__ = "rollout_year"
    __table_args__ = (UniqueConstraint("commune_code", "year_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code_insee"), index=True)
    year_number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3
    phase: Mapped[str] = mapped_column(String(20))  # Phase
    school_year: Mapped[str] = mapped_column(String(9))  # "2021-2022"
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10))


class Objective(Base):
    """A target for an indicator of the catalogue, for a scope and a period."""

    __tablename__ = "objective"
    __table_args__ = (
        UniqueConstraint("scope_kind", "scope_code", "period_label", "indicator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(12))  # ScopeKind
    scope_code: Mapped[str] = mapped_column(String(5), default="")  # "" for national
    period_kind: Mapped[str] = mapped_column(String(14))  # school_year / calendar_year
    period_label: Mapped[str] = mapped_column(String(9))  # "2022-2023" or "2023"
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    indicator: Mapped[str] = mapped_column(String(60))  # a catalogue code
    target: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10))


class DepartementStrategy(Base):
    """A departmental "Numérique et Parentalité" strategy (action 1 of the programme)."""

    __tablename__ = "departement_strategy"

    departement_code: Mapped[str] = mapped_column(ForeignKey("departement.code"), primary_key=True)
    validated_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10))


class ExternalMeasure(Base):
    """Figures measured outside the dashboard: mallette consultations, teachers, Pix courses."""

    __tablename__ = "external_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(12))  # ScopeKind
    scope_code: Mapped[str] = mapped_column(String(5), default="")
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    indicator: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10))


class ImportBatch(Base):
    """The journal: one row per import (or form entry), kept after an undo."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # ImportKind
    source: Mapped[str] = mapped_column(String(10))  # Source written on the rows
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    user_name: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    set_aside: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))


class ImportChange(Base):
    """What an import did to one row, so that it can be undone: inserted, or the old values."""

    __tablename__ = "import_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))  # insert / update
    previous: Mapped[str | None] = mapped_column(Text)  # JSON of the values before an update


class VigilanceFollowUp(Base):
    """A commune an editor marked « suivie » on the points de vigilance, with a short note.

    One row per commune; marking, unmarking and editing the note are journaled like an entry
    (``import_batch`` / ``import_change``) so that they can be undone. The note is about the
    commune's figures — never about a person.
    """

    __tablename__ = "vigilance_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code_insee"), unique=True)
    followed: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(280), default="")
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """A read-API token of an account: only its SHA-256 is kept; revocable, never shown again."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_name: Mapped[str] = mapped_column(String(100), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown to tell tokens apart
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Metadata(Base):
    """Key/value facts about how this database was built (seed, vintage, build date)."""

    __tablename__ = "metadata"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(300))
