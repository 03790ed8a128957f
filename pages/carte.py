"""Carte: the TNE territories, communes by phase or indicator, CNFS, venues and schools."""

from dataclasses import replace

import streamlit as st
from streamlit_folium import st_folium

from tne_dash.screens.carte import ui as carte
from tne_dash.screens.carte.tables import table_for_display
from tne_dash.screens.carte.view import parse_map_view
from tne_dash.ui import auth, blocks, data, shell
from tne_dash.ui.territory_map import build_territory_layers, colour_column, introduce_map

shell.ensure_app_shell()
config = data.settings()
url = data.read_url()
data.prepare_offline_maps()

deps = data.load_departements(url)
view = parse_map_view(st.query_params.to_dict(), data.today(), set(deps["code"]))
blocks.problems(view.problems)
view = carte.controls(url, replace(view, problems=()))
exact = auth.current_account().sees_exact_counts
found = carte.frames_for_viewer(url, view, exact)
cohorts = deps.set_index("code")["tne_cohort"]
communes = data.commune_outlines(config, view.departement) if view.departement else []

st.title("Carte des territoires")
blocks.demo_notice(found.demo)
if view.departement and not communes:
    st.info("Les contours des communes ne sont disponibles que pour les 12 départements TNE : "
            "les structures et lieux sont placés sur le contour du département.")
# The base map stays the same between reruns of a territory; the layers travel alone and are
# swapped in place (no reload of the map's frame, the viewer's zoom kept).
drawn = build_territory_layers(view, found, data.departement_outlines(config), communes,
                               cohorts, tiles=config.map_tiles,
                               reference_dir=config.reference_dir)
table = table_for_display(view, found)  # the rows the map shows, French headers

map_column, panel = st.columns([3, 1])
with map_column:
    introduce_map(drawn.title)  # « Passer la carte », the frame's French title
    answer = st_folium(drawn.base, key=carte.map_key(), height=620,
                        use_container_width=True, returned_objects=["last_active_drawing"],
                        feature_group_to_add=drawn.groups, layer_control=drawn.control)
    carte.legend(view, drawn.bins, colour_column(view)[1], masked=not exact)
    carte.map_downloads(drawn, view, data.departement_outlines(config)["features"] + communes,
                        table, found, exact)
with panel:
    code = carte.clicked_code(answer)
    if view.departement is None and code:
        carte.open_departement(code)
    selected = code or view.commune
    if view.departement and code:
        st.query_params["commune"] = code  # the link in the address reopens the selection
    if view.departement and selected in found.table.index:
        carte.commune_panel(url, view, selected, exact)
    else:
        st.markdown("Cliquez sur un **département** pour l'ouvrir, puis sur une **commune** "
                    "pour voir ses chiffres.")
        if view.departement is None and st.button("Voir la Guadeloupe"):
            carte.open_departement("971")
        if view.departement:
            carte.departement_embed(url, view.departement)

st.subheader("Ce que montre la carte")
carte.table(table)
blocks.masking_note(view.departement is not None and not exact)
