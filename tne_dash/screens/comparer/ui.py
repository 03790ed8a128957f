"""The Comparer page's sections: the selection (search as you type), similar communes, the
side-by-side table, the charts, the ranks and the downloads. The URL holds the selection."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from tne_dash.catalogue import CATALOGUE
from tne_dash.exports import to_csv_bytes, to_xlsx_bytes
from tne_dash.figures.comparison import (
    MAX_SELECTED,
    MIN_SELECTED,
    SIMILARITY_RULE,
    Comparison,
    default_selection,
    similar_to,
)
from tne_dash.figures.privacy import is_small_count
from tne_dash.figures.scope import COMMUNE, Scope
from tne_dash.figures.search import commune_labels, search_communes
from tne_dash.html_tables import Best
from tne_dash.labels import format_number
from tne_dash.periods import FIRST_SCHOOL_YEAR, parse_period, school_year_label
from tne_dash.screens.comparer import charts
from tne_dash.screens.comparer.tables import (
    SideBySide,
    comparison_frame,
    comparison_heading,
    display_frame,
    monthly_summary,
    per_capita_chart_frame,
    per_capita_summary,
    public_ranking,
    public_series,
    rank_sentences,
    ranking_hides_people,
)
from tne_dash.screens.comparer.view import RANK_INDICATORS, ComparerView, comparer_params
from tne_dash.text import slug
from tne_dash.ui import blocks, data
from tne_dash.ui.chart_downloads import chart_with_downloads
from tne_dash.ui.kept import kept_by_content

# The page's charts, built once for the same data (``kept_by_content``).
monthly_chart = kept_by_content(charts.monthly_chart)
monthly_charts = kept_by_content(charts.monthly_charts)
per_capita_chart = kept_by_content(charts.per_capita_chart)
rank_chart = kept_by_content(charts.rank_chart)

SEARCH_KEY = "commune_search"
SINCE_START = "Depuis le début du programme"
RESULTS = 8
COMPARISON_CAPTION = "Les communes côte à côte"
SIMILAR_CAPTION = "Communes comparables à {first}"
# What each chart's CSV holds: its plotted fields and their French headers.
PER_CAPITA_COLUMNS = {"commune": "Commune", "label": "Indicateur", "value": "Pour 1 000 habitants"}
MONTHLY_COLUMNS = {"commune": "Commune", "month": "Mois", "label": "Indicateur",
                   "value": "Nombre"}


def controls(view: ComparerView) -> ComparerView:
    """Date of the situation and period of the figures, written back to the URL."""
    col_date, col_period, _ = st.columns([1, 2, 2])
    as_of = col_date.date_input("Situation au", value=view.as_of, key="as_of",
                                format="DD/MM/YYYY") or view.as_of
    years = [SINCE_START] + [school_year_label(y)
                             for y in range(as_of.year, FIRST_SCHOOL_YEAR - 1, -1)]
    current = view.period.label if view.period and view.period.label in years else SINCE_START
    choice = col_period.selectbox("Période des chiffres", years, index=years.index(current),
                                  key="period", placeholder="Choisir une période")
    chosen = replace(view, as_of=as_of,
                     period=None if choice == SINCE_START else parse_period(choice))
    st.query_params.from_dict(comparer_params(chosen))
    return chosen


def selection(index: pd.DataFrame, view: ComparerView, labels: dict[str, str]) -> None:
    """The chosen communes (``labels``: « Bezons (95) » of each), each removable, and the
    search that adds one."""
    columns = st.columns(MAX_SELECTED)
    for column, code in zip(columns, view.codes, strict=False):
        column.button(labels[code], key=f"remove_{code}", icon=":material/close:",
                      help="Retirer cette commune", on_click=_set_codes,
                      args=(tuple(c for c in view.codes if c != code),), width="stretch")
    _search(index, view.codes)


@st.fragment
def _search(index: pd.DataFrame, codes: tuple[str, ...]) -> None:
    query = st.text_input("Ajouter une commune", key=SEARCH_KEY, type="search", live=True,
                          placeholder="Nom ou code INSEE — ex. « saint ouen », « 95063 »")
    if len(codes) >= MAX_SELECTED:
        st.caption(f"{MAX_SELECTED} communes au plus : retirez-en une pour en ajouter une "
                   "autre.")
    if not query:
        return
    found = search_communes(index, query, RESULTS)
    if found.empty:
        st.caption(f"Aucune commune ne correspond à « {query} ».")
    for row in found.itertuples():
        label = f"{row.name} ({row.departement_code}) — {format_number(row.population)} hab."
        if st.button(label, key=f"add_{row.code_insee}", icon=":material/add:",
                     disabled=row.code_insee in codes or len(codes) >= MAX_SELECTED,
                     on_click=_set_codes, args=((*codes, row.code_insee), True)):
            st.rerun()


def _set_codes(codes: tuple[str, ...], clear_search: bool = False) -> None:
    st.query_params["communes"] = ",".join(codes)
    if clear_search:
        st.session_state[SEARCH_KEY] = ""


def similar_section(similar: pd.DataFrame, first: str, codes: tuple[str, ...]) -> None:
    """The five communes most comparable to the first one, and the rule in one sentence."""
    st.subheader(f"Communes comparables à {first}")
    st.caption(SIMILARITY_RULE)
    if similar.empty:
        st.info("Commune non engagée dans le volet parentalité : pas de suggestion.")
        return
    blocks.plain_table(pd.DataFrame({
        "Commune": commune_labels(similar), "Population": similar["population"].map(format_number),
        "Éducation prioritaire": similar["has_rep"].map({True: "REP/REP+", False: "Non"}),
        "Engagée en": similar["first_year"].astype(str)}),
        caption=SIMILAR_CAPTION.format(first=first), row_headers=True)
    chosen = (codes[0], *similar["code_insee"])[:MAX_SELECTED]
    st.button("Comparer avec ces communes", icon=":material/compare_arrows:",
              on_click=_set_codes, args=(chosen,), disabled=set(chosen) <= set(codes))


def table_section(side: SideBySide) -> None:
    """One column per commune; the best value of each row highlighted and named. A plain
    HTML table (``blocks.plain_table``): read as a table by screen readers, and 0.2 s less
    for the browser than an ``st.dataframe`` (``tne-dash bench``, « Coût des éléments »)."""
    shown = display_frame(side).astype(object)
    for i, row in enumerate(side.rows):
        for j in row.best:
            shown.iat[i, 1 + j] = Best(str(shown.iat[i, 1 + j]))
    blocks.plain_table(shown, caption=COMPARISON_CAPTION, row_headers=True)
    st.caption("Surligné : la meilleure valeur de la ligne (à égalité d'affichage, toutes), "
               "nommée dans la dernière colonne. Pour 1 000 habitants : population municipale "
               "INSEE 2023. Par établissement : écoles, collèges et lycées de la commune.")


def downloads(comp: Comparison, side: SideBySide, exact: bool, today) -> None:
    """The table as CSV and XLSX, the first commune's PDF fiche — each built when clicked —,
    and each commune's card to embed in a website."""
    frame = comparison_frame(side)
    name = "comparaison-" + "-".join(comp.codes)
    col_csv, col_xlsx, col_pdf, _ = st.columns([1, 1, 1.3, 1])
    col_csv.download_button("Tableau (CSV)", lambda: to_csv_bytes(frame), f"{name}.csv",
                            "text/csv", on_click="ignore", icon=":material/download:")
    col_xlsx.download_button(
        "Tableau (XLSX)",
        lambda: to_xlsx_bytes(frame, "Comparaison", comparison_heading(comp, exact)),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore", icon=":material/download:")
    col_pdf.download_button(
        f"Fiche PDF de {side.columns[0]}", lambda: _fiche(comp, exact, today),
        f"fiche-{slug(side.columns[0])}.pdf", "application/pdf",
        on_click="ignore", icon=":material/picture_as_pdf:")
    blocks.embed_offer([(Scope(COMMUNE, code), label)
                        for code, label in zip(comp.codes, side.columns, strict=True)])


def charts_section(url: str, comp: Comparison, side: SideBySide, exact: bool) -> None:
    """The per-1 000 bars and the monthly small multiples, each with its downloads and its
    text alternative."""
    heading = comparison_heading(comp, exact)
    place = " ".join(side.columns)
    st.subheader("Pour 1 000 habitants")
    chart = per_capita_chart_frame(side)
    if not chart.empty:
        chart_with_downloads(per_capita_chart(chart), title="Chiffres pour 1 000 habitants",
                             columns=PER_CAPITA_COLUMNS, heading=heading, place=place,
                             day=comp.as_of, key="per_capita")
    with blocks.on_demand("Le graphique en texte", key="per-capita-text") as opened:
        if opened:
            st.markdown(per_capita_summary(side))
    st.subheader("Mois par mois")
    series = data.load_monthly_series(url, comp.codes, comp.period, comp.as_of)
    names = dict(zip(comp.codes, side.columns, strict=True))
    show_parents = exact or not bool(series["parents_reached"].map(is_small_count).any())
    if not series.empty:
        plotted = public_series(series, ["parents_reached"], exact).assign(
            commune=series["code_insee"].map(names))
        chart_with_downloads(monthly_chart(plotted, show_parents), title="Mois par mois",
                             columns=MONTHLY_COLUMNS, heading=heading, place=place,
                             day=comp.as_of, key="monthly",
                             parts=monthly_charts(plotted, show_parents))
    if not show_parents:
        st.caption("Vue publique : la courbe des parents touchés est masquée, certains mois "
                   "comptent de 1 à 4 personnes.")
    with blocks.on_demand("Les courbes en texte", key="monthly-text") as opened:
        if opened:
            st.markdown(monthly_summary(series, names, show_parents, exact))


def rank_section(url: str, comp: Comparison, side: SideBySide, view: ComparerView,
                 exact: bool) -> ComparerView:
    """Where each selected commune stands among the engaged communes of its département."""
    st.subheader("Classement dans le département")
    indicator = st.selectbox("Indicateur du classement", RANK_INDICATORS,
                             index=RANK_INDICATORS.index(view.indicator), key="indicator",
                             format_func=lambda c: CATALOGUE[c].label,
                             placeholder="Choisir un indicateur")
    view = replace(view, indicator=indicator)
    st.query_params.from_dict(comparer_params(view))
    names = dict(zip(comp.codes, side.columns, strict=True))
    for dep in dict.fromkeys(comp.departements[c] for c in comp.codes):
        place = comp.departement_names[dep]
        ranking = data.load_ranking(url, dep, indicator, comp.period, comp.as_of)
        selected = [c for c in comp.codes if comp.departements[c] == dep]
        st.markdown("  \n".join(rank_sentences(ranking, selected, names, place, indicator,
                                               exact)) or f"Aucune commune engagée — {place}.")
        if ranking.empty:
            continue
        if ranking_hides_people(ranking, indicator, exact):
            st.caption("Vue publique : la répartition n'est pas tracée, certaines communes "
                       "comptent de 1 à 4 personnes.")
        else:
            shown = public_ranking(ranking, indicator, exact)
            label = CATALOGUE[indicator].label
            chart_with_downloads(
                rank_chart(shown, selected, label), title=f"Classement — {place}",
                columns={"rank": "Rang", "name": "Commune", "code_insee": "Code INSEE",
                         "value": label, "selected": "Commune comparée"},
                place=place, day=comp.as_of,
                heading=[*comparison_heading(comp, exact), ("Département", place),
                         ("Indicateur", label)], key=f"rank_{dep}")
    return view


def with_default_selection(view: ComparerView, profiles: pd.DataFrame) -> ComparerView:
    """A link without a selection opens on a default one, written back to the address."""
    if view.explicit:
        return view
    view = replace(view, codes=default_selection(profiles, view.codes), explicit=True)
    st.query_params.from_dict(comparer_params(view))
    return view


def chosen_labels(index: pd.DataFrame, codes: tuple[str, ...]) -> dict[str, str]:
    """« Bezons (95) »-style labels of the chosen communes, by INSEE code."""
    chosen = index[index["code_insee"].isin(codes)]
    return dict(zip(chosen["code_insee"], commune_labels(chosen), strict=True))


def similar_communes(profiles: pd.DataFrame, codes: tuple[str, ...]) -> pd.DataFrame:
    """The communes comparable to the first chosen one (none when nothing is chosen)."""
    return similar_to(profiles, codes[0]) if codes else profiles.iloc[0:0]


def enough_chosen(view: ComparerView, similar: pd.DataFrame, labels: dict[str, str]) -> bool:
    """Whether there is something to compare; otherwise says how to choose, and offers the
    communes comparable to the one already chosen."""
    if len(view.codes) >= MIN_SELECTED:
        return True
    st.info(f"Choisissez au moins {MIN_SELECTED} communes à comparer : cherchez-les ci-dessus "
            "ou partez des communes comparables.", icon=":material/compare_arrows:")
    if view.codes:
        similar_section(similar, labels[view.codes[0]], view.codes)
    return False


def _fiche(comparison: Comparison, exact: bool, today) -> bytes:
    """The fiche's PDF, made when its button is clicked: reportlab is loaded then, not with
    the page."""
    from tne_dash.screens.comparer.fiche import fiche_pdf

    return fiche_pdf(comparison, exact, today)
