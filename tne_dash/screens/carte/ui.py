"""Carte page widgets: sidebar controls kept in the URL, the frames as this viewer may see
them, legend, selected-commune panel, the table's download."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import streamlit as st

from tne_dash import maps
from tne_dash.catalogue import CATALOGUE
from tne_dash.exports import to_csv_bytes
from tne_dash.figures.map_frames import MapFrames, for_viewer, view_filters, with_vigilance
from tne_dash.figures.map_view import COLOUR_BY_PHASE, COLOUR_BY_VIGILANCE, LAYERS, MapView
from tne_dash.figures.metrics import headline_kpis
from tne_dash.figures.privacy import MASK, reveals_people_count
from tne_dash.figures.scope import DEPARTEMENT, Scope
from tne_dash.labels import NO_DATA, format_date, format_number
from tne_dash.screens.carte.tables import map_heading
from tne_dash.screens.carte.view import map_view_params
from tne_dash.store.reference import CNFS_VINTAGE
from tne_dash.ui import blocks, data
from tne_dash.ui.figure_downloads import chart_file_stem, chart_heading, download_pair, view_address
from tne_dash.ui.territory_map import (
    VIGILANCE_CLASSES,
    VIGILANCE_LABEL,
    TerritoryMap,
    colour_column,
)
from tne_dash.vocabulary import PHASE_LABELS, PHASE_ORDER, EmployerKind, VenueKind

FRANCE = ""
KEY_DEP = "carte_dep"
_PENDING_DEP = "carte_dep_pending"
_MAP_GENERATION = "carte_map_generation"
LAYER_LABELS = {"cnfs": f"Structures d'accueil CNFS ({CNFS_VINTAGE})",
                "venues": "Lieux d'atelier", "schools": "Collèges, lycées, écoles REP/REP+"}
COLOUR_CHOICES = [COLOUR_BY_PHASE, COLOUR_BY_VIGILANCE] + [c for c in CATALOGUE if c in (
    "workshops", "workshops_per_1000_inhabitants", "parents_reached",
    "parents_reached_per_1000_inhabitants", "participations", "workshop_hours",
    "parents_ressources_recruited", "parents_ressources_active", "cnfs_posts",
    "cnfs_posts_per_1000_inhabitants", "venues", "target_schools")]


def controls(url: str, view: MapView) -> MapView:
    """Sidebar filters (département, period, phase, venue kinds, colouring, layers)."""
    deps = data.load_departements(url)
    names = dict(zip(deps["code"], deps["name"], strict=True))
    tne = [c for c, k in zip(deps["code"], deps["tne_cohort"], strict=True) if k is not None]
    options = [FRANCE, *tne, *[c for c in deps["code"] if c not in tne]]
    bar = st.sidebar
    bar.header("Carte")
    if _PENDING_DEP in st.session_state:  # set by a click on the map, before the widget
        st.session_state[KEY_DEP] = st.session_state.pop(_PENDING_DEP)
    dep = bar.selectbox("Territoire", options, index=options.index(view.departement or FRANCE),
                        format_func=lambda c: f"{names[c]} ({c})" if c else "France entière",
                        key=KEY_DEP, placeholder="Choisir un territoire")
    period = bar.date_input("Période", value=(view.date_from or dt.date(2020, 9, 1),
                                              view.date_to), format="DD/MM/YYYY",
                            key="carte_period")
    start = period[0] if period else view.date_from
    end = period[1] if len(period) > 1 else view.date_to
    phases = bar.multiselect("Phase des communes", PHASE_ORDER, default=list(view.phases),
                             format_func=PHASE_LABELS.get, key="carte_phases",
                             placeholder="Toutes")
    kinds = bar.multiselect("Types de lieu", list(VenueKind.labels()),
                            default=list(view.venue_kinds), format_func=VenueKind.labels().get,
                            key="carte_kinds", placeholder="Tous")
    colour = bar.selectbox("Colorer les communes par", COLOUR_CHOICES,
                           index=COLOUR_CHOICES.index(view.colour_by)
                           if view.colour_by in COLOUR_CHOICES else 0,
                           format_func=colour_label, key="carte_colour",
                           placeholder="Choisir une phase ou un indicateur")
    shown = [layer for layer in LAYERS if bar.checkbox(
        LAYER_LABELS[layer], value=layer in view.layers, key=f"carte_layer_{layer}")]
    result = MapView(departement=dep or None, date_from=start, date_to=end,
                     phases=tuple(phases), venue_kinds=tuple(kinds), colour_by=colour,
                     layers=tuple(shown),
                     commune=view.commune if dep == view.departement else None)
    st.query_params.from_dict(map_view_params(result))
    return result


def colour_label(choice: str) -> str:
    """A colouring's French name in the sidebar."""
    if choice == COLOUR_BY_PHASE:
        return "Phase du déploiement"
    if choice == COLOUR_BY_VIGILANCE:
        return VIGILANCE_LABEL
    return CATALOGUE[choice].label


def open_departement(code: str) -> None:
    """Open a département (map click or button): the sidebar follows, then rerun."""
    st.session_state[_PENDING_DEP] = code
    # A new map component: the old one would still report the click that opened this one.
    st.session_state[_MAP_GENERATION] = st.session_state.get(_MAP_GENERATION, 0) + 1
    st.rerun()


def map_key() -> str:
    """The map component's key: new per click-navigation only. A territory chosen in the
    sidebar keeps the map's frame (its layers are swapped, the map framed on the territory):
    no reload of Leaflet and of the outline file of France."""
    return f"carte-{st.session_state.get(_MAP_GENERATION, 0)}"


_LAST_ANSWER = "carte_map_last_answer"


def clicked_code(answer: dict | None) -> str | None:
    """The code of the outline the viewer has just clicked, or None. The map's frame keeps
    its last answer across reruns and territories (``map_key``): an answer already read —
    the commune clicked before the sidebar went back to France — is not a new click."""
    answer = answer or {}
    last = st.session_state.get(_LAST_ANSWER)
    st.session_state[_LAST_ANSWER] = answer
    if answer == last:
        return None
    return ((answer.get("last_active_drawing") or {}).get("properties") or {}).get("code")


def _swatches(entries: list[tuple[str, str]]) -> str:
    return " ".join(
        f'<span style="display:inline-block;width:0.9em;height:0.9em;background:{c};'
        f'border:1px solid #929292;vertical-align:middle"></span>&nbsp;{html.escape(label)}'
        for c, label in entries)


# (what it colours, a note in parentheses or "", [(colour, label)])
LegendGroup = tuple[str, str, list[tuple[str, str]]]


def legend_groups(view: MapView, bins: list[float], value_label: str,
                  masked: bool) -> list[LegendGroup]:
    """What each colour of the map means, group by group (the page's legend, the image's)."""
    groups: list[LegendGroup] = []
    if view.departement is None:
        groups.append(("Départements", "", [
            (maps.COHORT_COLOURS["pilot_2020"], "Pilote (2020)"),
            (maps.COHORT_COLOURS["extension_2021"], "Extension (2021)"),
            ("#FFFFFF", "hors TNE")]))
    elif view.colour_by == COLOUR_BY_PHASE:
        groups.append(("Communes", "", maps.legend_entries(maps.PHASE_COLOURS, PHASE_LABELS)))
    elif view.colour_by == COLOUR_BY_VIGILANCE:
        groups.append((f"{VIGILANCE_LABEL} au {format_date(view.date_to)}",
                       "le plus grave de chaque commune", list(VIGILANCE_CLASSES.values())))
    elif bins:
        lows = [0.0, *bins[:-1]]
        colours = maps.SEQUENTIAL[len(maps.SEQUENTIAL) - len(bins):]
        groups.append((value_label, "", [(maps.LIGHT_GREY, "0")] + [
            (c, f"{format_number(lo, 1)} – {format_number(hi, 1)}")
            for c, lo, hi in zip(colours, lows, bins, strict=True)]
            + ([(maps.MASKED_COLOUR, f"{MASK} (effectif masqué)")]
               if masked and reveals_people_count(view.colour_by) else [])))
    if "cnfs" in view.layers:
        groups.append(("Structures CNFS", f"fichier ANCT du {CNFS_VINTAGE}, taille = postes",
                       maps.legend_entries(maps.EMPLOYER_COLOURS, EmployerKind.labels())))
    if "venues" in view.layers:
        groups.append(("Lieux d'atelier", "taille = ateliers sur la période",
                       maps.legend_entries(maps.VENUE_COLOURS, VenueKind.labels())))
    if "schools" in view.layers and view.departement:
        groups.append(("Établissements", "", [
            (maps.ROUGE_MARIANNE, "REP+"), ("#F95C5E", "REP"), ("#666666", "hors EP"),
            (maps.GREEN_PCN, "anneau vert : volet « numérique et parentalité »")]))
    return groups


def legend(view: MapView, bins: list[float], value_label: str, masked: bool) -> None:
    """The legend under the map, numbers in French."""
    lines = [f"**{html.escape(title)}**" + (f" ({html.escape(note)})" if note else "") + " : "
             + _swatches(entries)
             for title, note, entries in legend_groups(view, bins, value_label, masked)]
    st.markdown("  \n".join(lines), unsafe_allow_html=True)
    if view.colour_by == COLOUR_BY_VIGILANCE and view.departement:
        st.caption("Points de vigilance de la date de fin de la période, quels que soient les "
                   "types de lieu choisis ; chaque commune, ses motifs et leur nombre : le "
                   "tableau sous la carte. Chaque point, sa phrase et son lien : la page "
                   "Déploiement.")
        st.page_link("pages/deploiement.py", label="Les points de vigilance du département",
                     icon=":material/checklist:",
                     query_params={"scope": f"{DEPARTEMENT}:{view.departement}",
                                   "to": view.date_to.isoformat()})


def commune_panel(url: str, view: MapView, code: str, exact: bool) -> None:
    """Figures of the selected commune and links to open it elsewhere."""
    values = data.load_indicators(url, Scope("commune", code),
                                  view_filters(view))
    st.subheader(data.load_scope_label(url, Scope("commune", code)))
    st.caption(f"{format_number(values.population)} habitants")
    for kpi in headline_kpis(values, exact=exact):
        st.metric(kpi.label, kpi.value, help=kpi.help)
    blocks.demo_notice(values.demo)
    params = {"scope": f"commune:{code}", "to": view.date_to.isoformat()}
    st.page_link("pages/accueil.py", label="Ouvrir sur l'accueil", icon=":material/home:",
                 query_params=params)
    st.page_link("pages/deploiement.py", label="Son déploiement et ses objectifs",
                 icon=":material/timeline:", query_params=params)
    st.page_link("pages/comparer.py", label="La comparer à des communes semblables",
                 icon=":material/compare_arrows:",
                 query_params={"commune": code, "to": view.date_to.isoformat()})
    blocks.embed_offer([(Scope("commune", code),
                         data.load_scope_label(url, Scope("commune", code)))])


def departement_embed(url: str, departement: str) -> None:
    """The département's card to embed in a website, while no commune is selected."""
    scope = Scope(DEPARTEMENT, departement)
    blocks.embed_offer([(scope, data.load_scope_label(url, scope))])


def frames_for_viewer(url: str, view: MapView, exact: bool) -> MapFrames:
    """The view's frames, small counts of people masked unless the viewer sees exact counts;
    coloured by points de vigilance, each commune's (those of its département at the
    period's end, as this viewer's figures quote them)."""
    found = for_viewer(data.load_map_frames(url, view), view, exact)
    if view.colour_by == COLOUR_BY_VIGILANCE and view.departement:
        points = data.load_vigilance(url, Scope(DEPARTEMENT, view.departement), view.date_to,
                                     exact)
        found = with_vigilance(found, points)
    return found


def table(frame: pd.DataFrame) -> None:
    """The table under the map: numbers read the French way and sort as numbers; a count
    hidden from the public is an empty cell, its row's « Effectifs masqués » says which."""
    st.dataframe(frame, hide_index=True, width="stretch", placeholder=NO_DATA, column_config={
        c: st.column_config.NumberColumn(format="localized") for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c])})


def map_downloads(drawn: TerritoryMap, view: MapView, outlines: list[dict],
                  table: pd.DataFrame, found: MapFrames, exact: bool) -> None:
    """« Image (PNG) » of the map as drawn (its layers, its legend) and « Données (CSV) » of
    the table under it, the filters first; both made when clicked."""
    legend = legend_groups(view, drawn.bins, colour_column(view)[1], masked=not exact)
    colouring = ("Départements TNE par cohorte" if view.departement is None
                 else colour_label(view.colour_by))
    heading = map_heading(view, drawn.place, colouring,
                          [LAYER_LABELS[layer] for layer in view.layers], exact, found.demo)
    lines = chart_heading(drawn.title, heading, view_address())
    download_pair(
        f"Carte — {drawn.place}",
        lambda: map_png(drawn, outlines, legend),
        lambda: to_csv_bytes(table, heading=lines),
        chart_file_stem("Carte", drawn.place, view.date_to or data.today()), "carte")


def map_png(drawn: TerritoryMap, outlines: list[dict],
             legend: list[LegendGroup]) -> bytes:
    """The map as a PNG, made when its button is clicked: Altair and vl-convert are loaded
    then, not with the page (0.5 s at the first view of the Carte in each process)."""
    from tne_dash.charts import to_png
    from tne_dash.screens.carte.image import map_chart

    return to_png(map_chart(drawn.groups, outlines, drawn.bounds, drawn.title, legend))
