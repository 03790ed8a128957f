"""« Télécharger le rapport (PDF) » on Accueil and Déploiement: the situation report of the
page's territory and date, built only when the button is clicked (Streamlit runs the
callable on its own thread, after the click: a page view never pays for it).

Public (small counts of people of a commune rounded to 5, « < 5 ») for everyone but an
editor of the territory: a département's editors (and administrators) get exact counts in
its report; only administrators in the report of the TNE or of France, which quotes the
communes of every département. A commune has its fiche on Comparer instead.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from tne_dash.access import Account
from tne_dash.figures.scope import DEPARTEMENT, Scope
from tne_dash.figures.situation_report import REPORT_KINDS, situation_report
from tne_dash.periods import Period
from tne_dash.text import slug
from tne_dash.ui import auth, data

LABEL = "Télécharger le rapport (PDF)"


def report_is_exact(account: Account, scope: Scope) -> bool:
    """Exact counts for an editor of the territory (an administrator everywhere)."""
    return account.may_write(scope.code if scope.kind == DEPARTEMENT else None)


def report_file_name(scope: Scope, as_of: dt.date, exact: bool) -> str:
    """« rapport-situation-departement-95-2023-04-17.pdf » (« -exact » for the exact one)."""
    return (f"rapport-situation-{slug(str(scope).replace(':', '-'))}-{as_of.isoformat()}"
            + ("-exact" if exact else "") + ".pdf")


def report_button(url: str, scope: Scope, as_of: dt.date | None,
                  period: Period | None = None) -> None:
    """The download button of the report of ``scope`` at ``as_of`` (objectives of
    ``period``, by default the school year of the date), with what it holds in a caption;
    for a commune, the way to its fiche."""
    as_of = as_of or data.today()
    if scope.kind not in REPORT_KINDS:
        st.caption("Le rapport de situation (PDF) porte sur un département, les 12 "
                   "départements TNE ou la France ; une commune a sa fiche sur la page "
                   "Comparer.")
        return
    exact = report_is_exact(auth.current_account(), scope)
    engine = data.get_engine(url)
    reference_dir = data.settings().reference_dir
    today = data.today()

    def build() -> bytes:  # runs when clicked, on Streamlit's thread: no st call here
        # reportlab loaded on the first click, not with the page (0.3–0.6 s at the first view
        # of Accueil or Déploiement in each process).
        from tne_dash.report_pdf import report_pdf

        with engine.connect() as conn:
            return report_pdf(situation_report(conn, scope, as_of, exact=exact,
                                               reference_dir=reference_dir,
                                               generated_on=today, period=period))

    st.download_button(
        LABEL, build, report_file_name(scope, as_of, exact), "application/pdf",
        on_click="ignore", icon=":material/picture_as_pdf:", key="situation_report",
        help="Chiffres clés et leur évolution sur un an, objectifs, déploiement, carte, "
             "points de vigilance et sources, sur 2 à 4 pages A4.")
    st.caption("Version exacte (effectifs exacts, même petits) : ne la diffusez pas."
               if exact else
               "Version publique : les effectifs de personnes d'une commune y sont arrondis "
               "à 5, ceux de 1 à 4 lus « < 5 ».")
