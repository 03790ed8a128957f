"""Déploiement: each commune's yearly roll-out, tracked against its objectives."""

import streamlit as st

from tne_dash.screens.deploiement import ui as sections
from tne_dash.screens.deploiement.tables import plan_frame
from tne_dash.screens.deploiement.view import parse_deploiement_view
from tne_dash.ui import auth, blocks, data, report_download, shell

shell.ensure_app_shell()
url = data.read_url()

st.title("Déploiement")
st.markdown(
    "Chaque commune engagée suit trois années : **acculturation** (année 1), **Parents "
    "Ressources** (année 2), **autonomie** (année 3). Cette page compare ce qui est réalisé "
    "aux objectifs de l'année scolaire et montre qui est en bonne voie, qui est en retard."
)
view = parse_deploiement_view(st.query_params.to_dict(), today=data.today())
blocks.problems(view.problems)
view = sections.controls(url, view)
account = auth.current_account()
exact = account.sees_exact_counts
progress = data.load_objectives_progress(url, view.scope, view.period, view.as_of)
sections.start_progress(url, view, progress)
place = data.load_scope_label(url, view.scope)

demo = sections.page_demo(url, view, progress, exact)

st.header(place, divider="blue")
blocks.demo_notice(demo)
report_download.report_button(url, view.scope, view.as_of, view.period)
if view.scope.is_commune:
    plan = data.load_commune_plan(url, view.scope.code)
    sections.commune_plan(plan, plan_frame(plan))
    st.page_link("pages/comparer.py", label="La comparer à des communes semblables",
                 icon=":material/compare_arrows:",
                 query_params={"commune": view.scope.code, "to": view.as_of.isoformat()})
sections.objectives_section(place, progress, exact)
blocks.masking_note(view.scope.is_commune and not exact)
sections.objective_editor(url, view, account)
view = sections.vigilance_section(url, view, place, exact, account)

if view.scope.is_departement:
    sections.timeline_section(url, view, place, exact, demo)
elif not view.scope.is_commune:
    st.info("Choisissez un département pour voir la frise de ses communes engagées.",
            icon=":material/timeline:")
if not view.scope.is_commune:
    sections.funnel_section(url, view, place, demo)
sections.progress_section(url, view, progress, exact, demo)
