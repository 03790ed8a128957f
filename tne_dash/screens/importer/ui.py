"""The Import page's blocks: choose and send a file, read its report, browse the journal."""

from __future__ import annotations

import streamlit as st

from tne_dash.access import Account
from tne_dash.exports import to_csv_bytes
from tne_dash.labels import format_number
from tne_dash.store.imports import service, templates
from tne_dash.store.imports.problems import problems_frame
from tne_dash.store.imports.reading import Limits
from tne_dash.store.imports.service import ImportKind, ImportReport
from tne_dash.store.imports.writer import UndoRefused
from tne_dash.ui import data

FILE_KINDS = (ImportKind.WORKSHOPS, ImportKind.COOP, ImportKind.PARENTS_RESSOURCES,
              ImportKind.OBJECTIVES)
HELP = {
    ImportKind.WORKSHOPS: "Un atelier par ligne, identifié par sa colonne `reference` : "
                          "réimporter le fichier ne crée pas de doublon, une ligne modifiée "
                          "met l'atelier à jour.",
    ImportKind.COOP: "L'export XLSX « Liste des accompagnements » de la Coop. Seuls les ateliers "
                     "collectifs et accompagnements individuels sur la parentalité ou la "
                     "scolarité sont retenus ; **aucun nom, aucune note, aucune commune de "
                     "bénéficiaire n'est lu ni enregistré** : seulement des effectifs.",
    ImportKind.PARENTS_RESSOURCES: "Des effectifs de Parents Ressources par commune et "
                                   "période (jamais de noms).",
    ImportKind.OBJECTIVES: "Des cibles par périmètre (national, département, commune), "
                           "période (« 2024-2025 » ou « 2024 ») et indicateur du catalogue.",
}


@st.cache_data(show_spinner=False, max_entries=8)
def template_bytes(kind: ImportKind) -> bytes:
    """The XLSX template, built once per process (not on every run of the page)."""
    return templates.template_xlsx(kind)


def limits() -> Limits:
    config = data.settings()
    return Limits(max_bytes=config.import_max_mb * 1024 * 1024,
                  max_rows=config.import_max_rows)


def kind_picker() -> ImportKind:
    kind = st.radio("Type de fichier", FILE_KINDS, format_func=lambda k: k.label,
                    horizontal=True)
    st.markdown(HELP[kind])
    if kind in templates.FILE_NAMES:
        st.download_button(
            "Télécharger le modèle XLSX (listes déroulantes, exemple)",
            lambda: template_bytes(kind), file_name=templates.FILE_NAMES[kind],
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:", on_click="ignore")
    return kind


def send_file(url: str, kind: ImportKind, account: Account) -> ImportReport | None:
    """The uploader and its two actions: check only, or import."""
    config = limits()
    upload = st.file_uploader(
        f"Fichier CSV ou XLSX (au plus {format_number(config.max_bytes / 1024 / 1024)} Mo et "
        f"{format_number(config.max_rows)} lignes)", type=["csv", "xlsx", "txt"],
        key=f"upload-{kind}")
    col_check, col_import = st.columns(2)
    check = col_check.button("Vérifier sans importer", disabled=upload is None,
                             icon=":material/fact_check:", width="stretch")
    write = col_import.button("Importer", type="primary", disabled=upload is None,
                              icon=":material/upload:", width="stretch")
    if upload is None or not (check or write):
        return None
    with st.spinner("Validation du fichier…"):
        report = service.import_file(
            data.get_engine(url), kind, upload.name, upload.getvalue(), account=account,
            today=data.today(), now=data.now(), limits=config, dry_run=check)
    if not report.refused and not report.dry_run:
        data.refresh_after_write()
    return report


def show_report(report: ImportReport) -> None:
    if report.refused:
        st.error(report.summary(), icon=":material/block:")
        errors = problems_frame(report.errors)
        st.dataframe(errors, hide_index=True, width="stretch")
        st.download_button("Télécharger la liste des erreurs (CSV)", lambda: to_csv_bytes(errors),
                           file_name="erreurs_import.csv", mime="text/csv",
                           icon=":material/download:", on_click="ignore")
    else:
        st.success(report.summary(), icon=":material/check_circle:")
    if report.warnings:
        with st.expander(f"{len(report.warnings)} avertissement(s)"):
            st.dataframe(problems_frame(report.warnings), hide_index=True,
                         width="stretch")


UNDONE_KEY = "journal_entry_undone"


def journal(url: str, account: Account) -> None:
    """The journal — imports, Saisie entries, objectives and follow-ups; admins can undo an
    entry (named by its number and its type), and read after the rerun what it undid."""
    if undone := st.session_state.pop(UNDONE_KEY, None):
        st.success(undone, icon=":material/undo:")
    with data.get_engine(url).connect() as conn:
        frame = service.journal(conn)
    if frame.empty:
        st.caption("Aucun import pour l'instant.")
        return
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "Date": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
        "Annulé le": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
        "SHA-256": st.column_config.TextColumn(width="small")})
    if not account.is_admin:
        st.caption("Seul un administrateur peut annuler un import.")
        return
    open_entries = frame.loc[frame["Annulé le"].isna()].set_index("N°")["Type"].to_dict()
    if not open_entries:
        return
    col_pick, col_button = st.columns([2, 1], vertical_alignment="bottom")
    batch = col_pick.selectbox("Annuler l'entrée du journal n°", list(open_entries),
                               format_func=lambda n: f"{n} — {open_entries[n]}",
                               placeholder="Choisir une entrée")
    if col_button.button("Annuler cette entrée", icon=":material/undo:"):
        try:
            touched = service.undo_import(data.get_engine(url), int(batch), account=account,
                                          now=data.now())
        except UndoRefused as exc:
            st.error(str(exc))
            return
        data.refresh_after_write()
        st.session_state[UNDONE_KEY] = (
            f"Entrée n° {batch} du journal annulée ({open_entries[batch]}) : {touched} "
            "ligne(s) retirée(s) ou rétablie(s). Le journal en garde la trace.")
        st.rerun()
