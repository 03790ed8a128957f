"""The accessibility statement's sections, drawn from statement.py: headings in the RGAA
model's order, the checked views as a plain HTML table (read by screen readers, unlike the
canvas of st.dataframe), the manual checks as a list (a table of three long columns is unreadable on
a phone)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tne_dash.accessibility import AXE_VIEWS, MANUAL_CHECKS, SCREEN_SIZES
from tne_dash.screens.accessibilite import statement
from tne_dash.ui import blocks


def _table(rows: list[dict[str, str]], caption: str) -> None:
    blocks.plain_table(pd.DataFrame(rows), caption=caption, row_headers=True)


def introduction() -> None:
    st.markdown(statement.introduction())


def conformity() -> None:
    st.header("État de conformité")
    st.markdown(statement.conformity())


def test_results() -> None:
    """Automated checks (axe-core on AXE_VIEWS), then the manual checks and screen sizes."""
    st.header("Résultats des tests")
    version = statement.axe_core_version()
    st.subheader("Vérifications automatiques")
    st.markdown(statement.automated_checks(AXE_VIEWS, version))
    _table(statement.views_table(AXE_VIEWS), "Vues vérifiées automatiquement")
    st.subheader("Vérifications manuelles, rejouées par des tests")
    st.markdown("Ce que les règles automatiques ne voient pas est vérifié à la main une "
                "première fois, puis par un test du projet qui le rejoue à chaque version. "
                f"Tailles d'écran : {statement.screen_sizes(SCREEN_SIZES)}.")
    st.markdown(statement.manual_checks_list(MANUAL_CHECKS))


def non_accessible_content() -> None:
    st.header("Contenus non accessibles")
    for title, items in statement.NON_ACCESSIBLE:
        st.subheader(title)
        st.markdown("\n".join(f"- {item}" for item in items))


def establishment() -> None:
    st.header("Établissement de cette déclaration")
    items = statement.establishment(statement.axe_core_version(), SCREEN_SIZES)
    st.markdown("\n".join(f"- {item}" for item in items))


def feedback(contact: str) -> None:
    st.header("Retour d'information et contact")
    st.markdown(statement.feedback(contact))


def remedies() -> None:
    st.header("Voies de recours")
    st.markdown("\n".join(statement.remedies()))
