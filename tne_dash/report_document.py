"""A printable report as plain data: sections of French text, tables, bar and timeline charts
and a map, every text plain (never markup: the drawer escapes it), every colour a hex string.

Shared below the wings: ``figures.situation_report`` fills it from the figure functions,
``report_pdf`` draws it with reportlab — neither knows the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Text styles the drawer knows.
BODY, LEAD, SMALL = "body", "lead", "small"


@dataclass(frozen=True)
class Text:
    """A paragraph; ``bullet`` lists it as an item."""

    text: str
    style: str = BODY
    bullet: bool = False


@dataclass(frozen=True)
class Table:
    """A table of texts (a line break starts a new line in its cell): its header, its rows,
    each column's share of the width, which columns are figures (right-aligned), and which
    rows are flagged (drawn in red)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    numeric: tuple[int, ...] = ()
    flagged: tuple[int, ...] = ()


@dataclass(frozen=True)
class LegendItem:
    """A swatch and its words; ``outlined``: a red frame rather than a fill."""

    colour: str
    label: str
    outlined: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    colour: str


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, their values written at their end."""

    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Span:
    """One planned year on a timeline; ``outlined`` frames it (late, under way)."""

    start: dt.date
    end: dt.date
    colour: str
    outlined: bool = False


@dataclass(frozen=True)
class TimelineRow:
    label: str
    spans: tuple[Span, ...]
    flagged: bool = False


@dataclass(frozen=True)
class Timeline:
    """Rows of spans on a time axis, ticks at each school year, a line at ``marker``."""

    rows: tuple[TimelineRow, ...]
    marker: dt.date
    marker_label: str
    legend: tuple[LegendItem, ...]


@dataclass(frozen=True)
class Shape:
    """A territory on a map: rings of (longitude, latitude), its fill (empty: none), an
    optional short label written at its centre, and a heavier outline when ``emphasised``."""

    code: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    colour: str
    label: str = ""
    emphasised: bool = False


@dataclass(frozen=True)
class MapPanel:
    title: str
    shapes: tuple[Shape, ...]


@dataclass(frozen=True)
class Map:
    """A main panel and small insets (the overseas départements), with a legend in words."""

    main: MapPanel
    insets: tuple[MapPanel, ...]
    legend: tuple[LegendItem, ...]


Block = Text | Table | BarChart | Timeline | Map


@dataclass(frozen=True)
class Section:
    """A titled section; ``new_page`` starts it on a new page."""

    title: str
    blocks: tuple[Block, ...]
    new_page: bool = False


@dataclass(frozen=True)
class Report:
    """The whole document with its metadata (title, subject, author, keywords, language),
    the notice framed under its title (the demo-data notice, when it applies) and the line
    printed at the foot of every page."""

    title: str
    subtitle: str
    notice: str
    subject: str
    author: str
    keywords: tuple[str, ...]
    sections: tuple[Section, ...]
    footer: str
    demo: bool
    exact: bool
    language: str = "fr-FR"
