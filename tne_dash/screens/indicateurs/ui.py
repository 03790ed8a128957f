"""The Indicateurs page's sections: sidebar filters (kept in the URL), data freshness,
headline tiles, the table by territory, breakdowns and exports."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

from tne_dash.exports import to_csv_bytes, to_xlsx_bytes
from tne_dash.figures.freshness import freshness_frame, quiet_since
from tne_dash.figures.indicators import IndicatorValues
from tne_dash.figures.metrics import explorer_kpis
from tne_dash.figures.search import FOLDED
from tne_dash.labels import NO_DATA, format_date, format_percent
from tne_dash.periods import FIRST_SCHOOL_YEAR, previous_period, quick_periods
from tne_dash.screens.indicateurs import charts
from tne_dash.screens.indicateurs.tables import (
    BREAKDOWN_TITLES,
    CODE,
    GROUPING,
    NO_ACTIVITY,
    NO_WORKSHOP,
    OBJECTIVE_CODES,
    TERRITORY,
    UNFILTERED_HEADING,
    breakdown_frame,
    objective_column,
    territory_table,
    unfiltered_columns,
    unfiltered_lines,
)
from tne_dash.screens.indicateurs.view import (
    CHOICE_PARAMS,
    FILTER_TITLES,
    LEVELS,
    REP_FILTER_HELP,
    REP_FILTER_LABEL,
    SCHOOL_LEVEL_HELP,
    SCHOOL_RESPONSIBLE,
    IndicateursView,
    indicateurs_params,
)
from tne_dash.ui import blocks, data
from tne_dash.ui.chart_downloads import chart_with_downloads
from tne_dash.ui.kept import kept_by_content

# The page's charts, built once for the same data (``kept_by_content``).
breakdown_chart = kept_by_content(charts.breakdown_chart)
month_chart = kept_by_content(charts.month_chart)

CUSTOM = "Dates choisies"
TWO_THEMES = "Un atelier à deux thèmes compte dans chacun."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sidebar_filters(url: str, view: IndicateursView, today: dt.date) -> IndicateursView:
    """Every filter in the sidebar, seeded from the URL and written back to it."""
    f = view.filters
    deps = data.load_departements(url)
    dep_names = dict(zip(deps["code"], deps["name"] + " (" + deps["code"] + ")", strict=True))
    with st.sidebar:
        st.header("Filtres")
        date_from, date_to = _period_inputs(f.date_from, f.date_to, today)
        departements = st.multiselect(
            "Départements", list(dep_names), default=list(f.departements), key="f_dep",
            format_func=dep_names.__getitem__, placeholder="Les 12 départements TNE")
        index = data.load_commune_index(url)
        pool = index[index["departement_code"].isin(departements or _tne(deps))
                     | index["code_insee"].isin(f.communes)]
        labels = dict(zip(pool["code_insee"], pool["name"] + " (" + pool["departement_code"]
                          + ")", strict=True))
        ordered = pool.sort_values([FOLDED, "code_insee"])["code_insee"]
        communes = st.multiselect("Communes", list(ordered),
                                  default=list(f.communes), key="f_communes",
                                  format_func=labels.__getitem__, placeholder="Toutes")
        choices = {}
        for key, (name, enum) in CHOICE_PARAMS.items():
            names = enum.labels()
            choices[name] = tuple(st.multiselect(
                FILTER_TITLES[key], list(names), default=list(getattr(f, name)),
                key=f"f_{key}", format_func=names.__getitem__, placeholder="Tous",
                help=SCHOOL_LEVEL_HELP if key == "niveau" else None))
            if key == "niveau":
                st.caption("Responsable des bâtiments : " + ", ".join(
                    f"{names[k].lower()} → {who}" for k, who in SCHOOL_RESPONSIBLE.items())
                    + ".")
        rep_only = st.toggle(REP_FILTER_LABEL, value=f.rep_only, key="f_rep",
                             help=REP_FILTER_HELP)
        include_demo = st.toggle("Inclure les données de démonstration",
                                 value=f.include_demo, key="f_demo")
    filters = dataclasses.replace(
        f, date_from=date_from, date_to=date_to, departements=tuple(departements),
        communes=tuple(communes), rep_only=rep_only, include_demo=include_demo, **choices)
    chosen = dataclasses.replace(view, filters=filters)
    st.query_params.from_dict(indicateurs_params(chosen))
    return chosen


def _period_inputs(start: dt.date, end: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    shortcuts = quick_periods(today, FIRST_SCHOOL_YEAR)
    options = [CUSTOM, *shortcuts]
    current = next((k for k, v in shortcuts.items() if v == (start, end)), CUSTOM)
    st.selectbox("Période", options, index=options.index(current), key="f_quick",
                 on_change=_apply_shortcut, args=(shortcuts,), placeholder="Choisir une période")
    col_from, col_to = st.columns(2)
    picked_from = col_from.date_input("Du", value=start, key="f_from", format="DD/MM/YYYY")
    picked_to = col_to.date_input("Au", value=end, key="f_to", format="DD/MM/YYYY")
    if picked_from and picked_to and picked_from <= picked_to:
        return picked_from, picked_to
    st.warning("Le début de la période doit précéder sa fin.")
    return start, end


def _apply_shortcut(shortcuts: dict) -> None:
    choice = st.session_state["f_quick"]
    if choice in shortcuts:
        st.session_state["f_from"], st.session_state["f_to"] = shortcuts[choice]


def _tne(deps: pd.DataFrame) -> list[str]:
    return list(deps.loc[deps["tne_cohort"].notna(), "code"])


def freshness_section(url: str, view: IndicateursView) -> None:
    """Latest workshop and communes without recent activity: read before trusting."""
    table = data.load_freshness(url, view.scope, view.filters, view.filters.date_to)
    latest = max((d for d in table["latest_workshop"] if d), default=None)
    engaged, quiet = int(table["engaged"].sum()), int(table["quiet"].sum())
    share = format_percent(100.0 * quiet / engaged) if engaged else "—"
    st.info(f"**Fraîcheur des données** — dernier atelier enregistré : "
            f"**{format_date(latest) if latest else 'aucun'}** ; communes engagées sans "
            f"atelier depuis le {format_date(quiet_since(view.filters.date_to))} : "
            f"**{share}** ({quiet} sur {engaged}).", icon=":material/update:")
    with blocks.on_demand("Fraîcheur par département", key="freshness-table") as opened:
        if opened:
            st.dataframe(freshness_frame(table, view.filters.date_to), hide_index=True,
                         width="stretch")


def table_section(url: str, view: IndicateursView, exact: bool, heading) -> None:
    """The indicators by territory; selecting a row links to its Déploiement or Comparer."""
    st.subheader("Tableau par territoire")
    level = st.segmented_control("Regrouper par", list(LEVELS), default=view.level,
                                 key="f_level", format_func=LEVELS.__getitem__) or view.level
    view = dataclasses.replace(view, level=level)
    st.query_params.from_dict(indicateurs_params(view))
    f = view.filters
    table = data.load_indicator_table(url, view.scope, f, level)
    shares = data.load_objective_shares(url, view.scope, f, level, f.date_to, OBJECTIVE_CODES)
    # A selection of communes is a commune-level figure for the public rule, whatever the
    # grouping: the département row of `communes=95063` is Bezons' own counts.
    frame = territory_table(table, shares, level, f.date_to, exact,
                            selection=bool(f.communes))
    not_filtered = unfiltered_columns(frame.columns, f, f.date_to)
    config = {c: st.column_config.NumberColumn(format="localized", help=not_filtered.get(c))
              for c in frame.columns[2:] if pd.api.types.is_numeric_dtype(frame[c])}
    for code in OBJECTIVE_CODES:
        if (column := objective_column(code, f.date_to)) in frame:
            config[column] = st.column_config.ProgressColumn(
                format="localized", step=0.1, min_value=0, max_value=100,
                help=not_filtered.get(column))
    event = st.dataframe(frame, hide_index=True, width="stretch", column_config=config,
                         placeholder=NO_DATA,
                         on_select="rerun", selection_mode="single-row", key="territories")
    st.caption("Cliquez une ligne pour ouvrir ce territoire. % objectif : le réalisé de "
               "l'année scolaire à la date de fin, tous ateliers, rapporté à l'objectif.")
    lines = unfiltered_lines(not_filtered)
    if lines:
        st.caption(f"{UNFILTERED_HEADING} (même valeur quel que soit ce filtre) : "
                   + " ; ".join(value for _, value in lines) + ".")
    if event.selection.rows:
        _links(frame.iloc[event.selection.rows[0]], level, f.date_to)
    _downloads(frame, "territoires", [*heading, *lines])
    return view


def _links(row: pd.Series, level: str, as_of: dt.date) -> None:
    code, name = row[CODE], row[TERRITORY]
    if level == "commune":
        st.page_link("pages/deploiement.py", label=f"{name} : déploiement et objectifs",
                     icon=":material/timeline:",
                     query_params={"scope": f"commune:{code}", "to": as_of.isoformat()})
        st.page_link("pages/comparer.py", label=f"Comparer {name} à des communes semblables",
                     icon=":material/compare_arrows:",
                     query_params={"commune": code, "to": as_of.isoformat()})
    elif level == "departement":
        st.page_link("pages/deploiement.py", label=f"{name} : frise des communes engagées",
                     icon=":material/timeline:",
                     query_params={"scope": f"departement:{code}", "to": as_of.isoformat()})


BREAKDOWN_TAB_KEY = "breakdown_tab"


def breakdown_section(url: str, view: IndicateursView, exact: bool, heading) -> None:
    st.subheader("Ventilations")
    commune_level = bool(view.filters.communes)
    # Only the open tab is computed and drawn (a rerun when another is chosen): one chart and
    # one table on the page instead of five of each.
    tabs = st.tabs(list(BREAKDOWN_TITLES.values()), key=BREAKDOWN_TAB_KEY, on_change="rerun")
    for tab, by in zip(tabs, BREAKDOWN_TITLES, strict=True):
        if not tab.open:
            continue
        with tab:
            raw = data.load_breakdown(url, view.scope, view.filters, by)
            if raw.empty:  # a breakdown of workshops
                st.info(NO_WORKSHOP)
                continue
            frame = breakdown_frame(raw, by, commune_level, exact)
            measure = frame.columns[1]  # workshops: never a count of people
            chart = (month_chart(frame, list(raw["key"]), measure) if by == "month"
                     else breakdown_chart(frame, measure))
            notes = [("Note", TWO_THEMES)] if by == "theme" else []
            chart_with_downloads(
                chart, title=f"Ateliers {BREAKDOWN_TITLES[by].lower()}",
                heading=[line for line in heading if line[0] != GROUPING] + notes,
                columns={"label": frame.columns[0], "value": measure},
                place=dict(heading)[TERRITORY], day=view.filters.date_to,
                key=f"breakdown_{by}")
            if by == "theme":
                st.caption(TWO_THEMES)
            st.dataframe(frame, hide_index=True, width="stretch", placeholder=NO_DATA,
                         column_config={
                c: st.column_config.NumberColumn(format="localized") for c in frame.columns[1:]
                if pd.api.types.is_numeric_dtype(frame[c])})
            _downloads(frame, f"ventilation-{by}", heading)


def _downloads(frame: pd.DataFrame, name: str, heading) -> None:
    columns = st.columns(4)
    sep = columns[0].selectbox("Séparateur CSV", [";", ","], key=f"sep_{name}",
                               label_visibility="collapsed",
                               format_func=lambda s: f"CSV « {s} »",
                               placeholder="Choisir un séparateur")
    # Files are made when their button is clicked, not on every run.
    # « Tableau » as on Comparer: the table above; a chart's own are « Données (CSV) ».
    columns[1].download_button("Tableau (CSV)", lambda: to_csv_bytes(frame, sep=sep),
                               f"{name}.csv", "text/csv", on_click="ignore",
                               icon=":material/download:", key=f"csv_{name}")
    columns[2].download_button("Tableau (XLSX)",
                               lambda: to_xlsx_bytes(frame, "Indicateurs", heading),
                               f"{name}.xlsx", XLSX, on_click="ignore",
                               icon=":material/download:", key=f"xlsx_{name}")


def headline_section(url: str, view: IndicateursView, exact: bool) -> IndicatorValues:
    """The period as a heading, then the figures with their change against the period of the
    same length just before; returns the figures (the headings below reuse them)."""
    f = view.filters
    values = data.load_indicators(url, view.scope, f)
    before_from, before_to = previous_period(f.date_from, f.date_to)
    previous = data.load_indicators(url, view.scope,
                                    dataclasses.replace(f, date_from=before_from,
                                                        date_to=before_to))
    st.header(f"Du {format_date(f.date_from)} au {format_date(f.date_to)}", divider="blue")
    blocks.demo_notice(values.demo)
    workshop_filters = [title.lower() for key, title in FILTER_TITLES.items()
                        if getattr(f, CHOICE_PARAMS[key][0])]
    if not values["workshops"] and workshop_filters:
        # The figures these filters do not apply to still show: they say so on their tile.
        st.info(f"{NO_WORKSHOP} Les chiffres marqués « non filtré par … » ne dépendent pas "
                f"de ces filtres ({', '.join(workshop_filters)}) : ce ne sont pas ceux de ces "
                "ateliers.", icon=":material/filter_alt_off:")
    elif not values["workshops"] and not values["parents_ressources_recruited"]:
        st.info(NO_ACTIVITY, icon=":material/filter_alt_off:")
    blocks.kpi_row(explorer_kpis(values, previous, f"Évolution par rapport au "
                                 f"{before_from:%d/%m/%Y} – {before_to:%d/%m/%Y}", exact))
    blocks.masking_note(bool(f.communes) and not exact)
    return values
