"""The Déploiement page's sections: controls, objectives, points de vigilance, timeline,
funnel, progression, and the objective form of editors (« mode édition »: validated like a
row of the objectives template, written in one transaction with its journal entry, caches
refreshed)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

from tne_dash.access import ANONYMOUS, Account
from tne_dash.catalogue import CATALOGUE
from tne_dash.exports import to_csv_bytes, to_xlsx_bytes
from tne_dash.figures.objectives import ObjectivesProgress, Status, objective_scope
from tne_dash.figures.objectives_table import (
    objectives_frame,
    objectives_heading,
    objectives_summary,
)
from tne_dash.figures.privacy import is_small_count, mask_value
from tne_dash.figures.progression import PROGRESSION_CODES
from tne_dash.figures.scope import COMMUNE
from tne_dash.figures.timeline import select_communes, timeline_bars, timeline_summary
from tne_dash.figures.vigilance_rules import SEVERITY_LABELS, VIGILANCE_RULES
from tne_dash.labels import format_date, format_figure, format_number, markdown_text
from tne_dash.periods import FIRST_SCHOOL_YEAR, parse_period, school_year_label, school_year_of
from tne_dash.screens.deploiement import charts
from tne_dash.screens.deploiement.tables import (
    address_origin,
    follow_up_choices,
    funnel_frame,
    funnel_summary,
    objectives_display,
    objectives_shown,
    progress_summary,
    select_points,
    timeline_frame,
    vigilance_display,
    vigilance_heading,
    vigilance_section_summary,
    vigilance_table,
)
from tne_dash.screens.deploiement.view import (
    FOLLOW_CHOICES,
    SORTS,
    TIMELINE_PHASES,
    DeploiementView,
    deploiement_params,
)
from tne_dash.store.follow_ups import (
    MAX_NOTE_LENGTH,
    NOTE_FIELD,
    NOTE_HELP,
    FollowUpRefused,
    set_follow_up,
)
from tne_dash.store.imports.fields import MAX_OBJECTIVE_TARGET
from tne_dash.store.imports.problems import Problem
from tne_dash.store.imports.service import record_objective
from tne_dash.text import slug
from tne_dash.ui import blocks, data, pickers
from tne_dash.ui.chart_downloads import chart_with_downloads
from tne_dash.ui.kept import kept_by_content
from tne_dash.ui.urlstate import View
from tne_dash.vocabulary import PHASE_LABELS, ScopeKind

# The page's charts, built once for the same data (``kept_by_content``).
funnel_chart = kept_by_content(charts.funnel_chart)
progress_chart = kept_by_content(charts.progress_chart)
timeline_chart = kept_by_content(charts.timeline_chart)

PNG_WIDTH = 900
FIELDS = {"perimetre": "Périmètre", "code": "Code du territoire", "periode": "Année scolaire",
          "indicateur": "Indicateur", "cible": "Objectif"}
DONE_KEY = "objective_saved"


# The chart's tables, made once their expander is opened (blocks.on_demand).
TIMELINE_TABLE_KEY = "timeline-table"
FUNNEL_TABLE_KEY = "funnel-table"

def controls(url: str, view: DeploiementView) -> DeploiementView:
    """Territory, date (« Situation au ») and school year of the objectives, kept in the URL.

    The school year follows the date — a date moved into another school year shows that
    year's objectives, as a link with that date does — unless a viewer chose another year,
    which then stays whatever the date."""
    picked = pickers.view_picker(url, View(view.scope, view.as_of), date_label="Situation au",
                                 cumulative_note=False)
    as_of = picked.date_to or view.as_of
    dates_year = school_year_of(as_of)
    follows = view.period == school_year_of(view.as_of)
    period = dates_year if follows else view.period
    last = max(as_of.year, period.start.year) + 1
    years = [school_year_label(y) for y in range(FIRST_SCHOOL_YEAR, last)]
    column, _ = st.columns([1, 2])
    # Keyed by the date's school year: a date moved into another one makes a new list, at
    # ``period`` (a kept key would keep the year shown before).
    label = column.selectbox("Année scolaire des objectifs", years,
                             key=f"school_year:{dates_year.label}",
                             index=years.index(period.label),
                             placeholder="Choisir une année scolaire")
    chosen = replace(view, scope=picked.scope, as_of=as_of, period=parse_period(label))
    st.query_params.from_dict(deploiement_params(chosen))
    return chosen


def objectives_section(place: str, progress: ObjectivesProgress, exact: bool) -> None:
    """The objectives table with its reading in a sentence, the status rule and exports."""
    st.subheader(f"Objectifs {progress.period.label}")
    st.markdown(objectives_summary(progress))
    frame = objectives_display(objectives_frame(progress, exact))
    if frame.empty:
        return
    # Every figure the French way; a masked cell reads « — » and is named in « Effectifs
    # masqués ». A plain table: a few rows, and no grid code for the browser to load.
    blocks.plain_table(objectives_shown(frame), caption=f"Objectifs {progress.period.label}")
    st.caption("**Atteint** : le réalisé égale ou dépasse l'objectif. **En bonne voie** : la "
               "part de l'objectif réalisée est au moins égale à la part de l'année scolaire "
               "écoulée à la date choisie (« Attendu à date »). **En retard** : en dessous. "
               "**Sans objectif** : objectif nul. Le réalisé est compté du 1er septembre à la "
               "date choisie, par le même calcul que toutes les pages et `tne-dash "
               "indicators`.")
    name = f"objectifs-{slug(place)}-{progress.period.label}"
    col_csv, col_xlsx, _ = st.columns([1, 1, 2])
    # Files are made when their button is clicked (a callable), not on every run.
    col_csv.download_button("Télécharger (CSV)", lambda: to_csv_bytes(frame), f"{name}.csv",
                            "text/csv", on_click="ignore", icon=":material/download:")
    heading = objectives_heading(place, progress)
    col_xlsx.download_button(
        "Télécharger (XLSX)", lambda: to_xlsx_bytes(frame, "Objectifs", heading),
        f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore", icon=":material/download:")


VIGILANCE_ANCHOR = "points-de-vigilance"
TABLE_ROWS, TABLE_HEIGHT = 12, 720  # beyond 12 points, the table scrolls in 720 px
POINTS_ON_SCREEN = 50  # the most urgent first; the downloads carry every point
RULE_TITLES = {rule.code: rule.title for rule in VIGILANCE_RULES}


def vigilance_section(url: str, view: DeploiementView, place: str, exact: bool,
                      account: Account = ANONYMOUS) -> DeploiementView:
    """The territory's points de vigilance at the date, filtered by reason, severity and
    follow-up (kept in the address), as a table with links, and its exports — the filters in
    their first lines —, then the form that marks a commune « suivie » for editors. The note
    of a follow-up is internal: signed-in accounts only. Returns the view with the chosen
    filters (the sections below write the address from it)."""
    st.subheader("Points de vigilance", anchor=VIGILANCE_ANCHOR)
    points = data.load_followed_vigilance(url, view.scope, view.as_of, exact,
                                          account.signed_in)
    col_reason, col_severity, col_follow = st.columns([2, 1, 1])
    reasons = col_reason.multiselect(
        "Motif", [rule.code for rule in VIGILANCE_RULES], default=list(view.reasons),
        key="vigilance_reasons", format_func=lambda code: RULE_TITLES[code],
        placeholder="Tous les motifs")
    severities = col_severity.multiselect(
        "Gravité", list(SEVERITY_LABELS), default=list(view.severities),
        key="vigilance_severities", format_func=SEVERITY_LABELS.__getitem__,
        placeholder="Toutes les gravités")
    follow = col_follow.selectbox(
        "Suivi", list(FOLLOW_CHOICES), index=list(FOLLOW_CHOICES).index(view.follow),
        key="vigilance_follow", format_func=FOLLOW_CHOICES.__getitem__,
        placeholder="Tous les points")
    chosen = replace(view, reasons=tuple(reasons), severities=tuple(severities),
                     follow=follow or "")
    st.query_params.from_dict(deploiement_params(chosen))
    shown = select_points(points, chosen.reasons, chosen.severities, chosen.follow)
    st.markdown(markdown_text(vigilance_section_summary(shown, points, place, view.as_of)))
    st.caption("Chaque point dit sa raison en une phrase, avec le lien de la page qui la "
               "montre. Les règles et leurs seuils : page « Données et méthodes ». Points "
               f"calculés au {format_date(view.as_of)}, sur l'année scolaire de cette date. "
               "« Suivie » : un éditeur du département suit la commune (état du jour, quelle "
               "que soit la date choisie)"
               + ("." if account.signed_in else " ; ses notes de suivi sont réservées aux "
                                                "comptes connectés."))
    if shown.empty:
        follow_up_saved()  # a commune just marked may have left the filtered list
        return chosen
    origin = data.settings().public_url or address_origin(st.context.url)
    several = not (view.scope.is_commune or view.scope.is_departement)  # TNE, France
    table = vigilance_table(shown, with_departement=several, origin=origin,
                            with_territory=not view.scope.is_commune)
    # A long list scrolls in its own box, its headers kept in sight; the page shows the most
    # urgent points (France has thousands: a table the browser takes seconds to draw), the
    # downloads below carry them all.
    on_screen = min(len(table), POINTS_ON_SCREEN)
    blocks.plain_table(vigilance_display(table.head(on_screen), shown.head(on_screen)),
                       caption=f"Points de vigilance — {place}",
                       max_height=TABLE_HEIGHT if on_screen > TABLE_ROWS else None)
    if on_screen < len(table):
        st.caption(f"Les {format_number(on_screen)} points les plus urgents sont affichés, "
                   f"sur {format_number(len(table))} : choisissez un département, un motif ou "
                   "une gravité pour les autres, ou téléchargez la liste entière ci-dessous.")
    heading = vigilance_heading(place, view.as_of, chosen.reasons, chosen.severities, exact,
                                bool(shown["demo"].any()), chosen.follow)
    name = f"points-de-vigilance-{slug(place)}-{view.as_of.isoformat()}"
    col_csv, col_xlsx, _ = st.columns([1, 1, 2])
    # The whole list, made when a button is clicked (7 000 points in XLSX: seconds).
    col_csv.download_button("Télécharger (CSV)", lambda: to_csv_bytes(table, heading=heading),
                            f"{name}.csv", "text/csv", on_click="ignore",
                            icon=":material/download:", key="vigilance_csv")
    col_xlsx.download_button(
        "Télécharger (XLSX)", lambda: to_xlsx_bytes(table, "Points de vigilance", heading),
        f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore", icon=":material/download:", key="vigilance_xlsx")
    follow_up_editor(url, shown, account)
    return chosen


FOLLOW_UP_DONE_KEY = "follow_up_saved"


def follow_up_saved() -> None:
    """The confirmation of the follow-up written before the rerun, once."""
    if message := st.session_state.pop(FOLLOW_UP_DONE_KEY, None):
        st.success(message, icon=":material/check_circle:")


def follow_up_editor(url: str, shown: pd.DataFrame, account: Account) -> None:
    """For an editor: mark a commune of the list « suivie » (or not) with a short note —
    only the communes of their départements are offered, and the server checks again
    (``set_follow_up``); the confirmation gives the journal entry."""
    follow_up_saved()
    if not account.can_edit:
        return
    communes = follow_up_choices(shown, account)
    if not communes:
        st.caption("Vous pouvez marquer « suivie » une commune de vos départements "
                   f"({account.describe_rights()}) : aucune dans cette liste.")
        return
    with st.expander("Suivre une commune de la liste", icon=":material/bookmark_add:"):
        code = st.selectbox("Commune", list(communes), format_func=communes.__getitem__,
                            key="follow_up_commune", placeholder="Choisir une commune")
        current = data.load_follow_ups(url, (code,)).get(code)
        if current is not None:
            state = "suivie" if current.followed else "non suivie"
            st.caption(f"Enregistré le {format_date(current.at.date())} par "
                       f"{markdown_text(current.by)} : {state}.")
        with st.form("follow-up-form"):
            followed = st.checkbox("Suivie", value=current.followed if current else True,
                                   key=f"follow_up_followed_{code}")
            note = st.text_area(NOTE_FIELD, value=current.note if current else "",
                                max_chars=MAX_NOTE_LENGTH, key=f"follow_up_note_{code}",
                                placeholder="Pas de nom ni de donnée personnelle")
            st.caption(NOTE_HELP)
            submitted = st.form_submit_button("Enregistrer le suivi", type="primary",
                                              icon=":material/save:")
    if not submitted:
        return
    try:
        saved = set_follow_up(data.write_engine(), account, code, followed, note,
                              now=data.now())
    except FollowUpRefused as refused:
        st.error(f"Le suivi n'a pas été enregistré. {refused}", icon=":material/error:")
        return
    if not saved.changed:
        st.info(f"{communes[code]} : rien n'a changé, ce suivi est déjà enregistré.",
                icon=":material/info:")
        return
    data.refresh_after_write()
    st.session_state[FOLLOW_UP_DONE_KEY] = (
        f"Suivi enregistré : {communes[code]} "
        + ("est suivie" if followed else "n'est plus suivie")
        + f" (journal : n° {saved.batch_id}). Un administrateur peut l'annuler depuis la "
          "page Importer.")
    st.rerun()


def commune_plan(plan: pd.DataFrame, frame: pd.DataFrame) -> None:
    st.subheader("Déploiement de la commune")
    if plan.empty:
        st.info("Cette commune n'est pas engagée dans le volet parentalité.")
        return
    # Three rows: a plain table, read by screen readers and drawn without the grid's code.
    blocks.plain_table(frame, caption="Déploiement de la commune", row_headers=True)


def timeline_section(url: str, view: DeploiementView, place: str, exact: bool,
                     demo: bool) -> None:
    """The département's communes: three years each, the date, late communes in red."""
    st.subheader("Frise des communes engagées")
    plan, communes = data.load_departement_rollout(url, view.scope.code, view.period,
                                                   view.as_of, exact)
    col_phase, col_status, col_sort = st.columns([2, 2, 1])
    phases = col_phase.multiselect(
        "Phase à la date", TIMELINE_PHASES, default=list(view.phases), key="phases",
        format_func=PHASE_LABELS.__getitem__, placeholder="Toutes les phases")
    statuses = col_status.multiselect(
        "Statut", [s.value for s in Status], default=list(view.statuses), key="statuses",
        format_func=lambda s: Status(s).label, placeholder="Tous les statuts")
    sort = col_sort.selectbox("Tri", list(SORTS), index=list(SORTS).index(view.sort),
                              key="sort", format_func=SORTS.__getitem__,
                              placeholder="Choisir un tri")
    st.query_params.from_dict(deploiement_params(
        replace(view, phases=tuple(phases), statuses=tuple(statuses), sort=sort)))
    shown = select_communes(communes, tuple(phases), tuple(statuses), sort)
    st.markdown(timeline_summary(shown, place, view.as_of, filtered=bool(phases or statuses)))
    if shown.empty:
        return
    bars = timeline_bars(plan, shown, view.as_of)
    order = list(shown["label"])
    filters = [("Phase à la date", ", ".join(PHASE_LABELS[p] for p in phases) or "toutes"),
               ("Statut", ", ".join(Status(s).label for s in statuses) or "tous"),
               ("Tri", SORTS[sort])]
    chart_with_downloads(timeline_chart(bars, order, view.as_of),
                         title="Frise des communes engagées", columns=TIMELINE_COLUMNS,
                         heading=_chart_heading(url, view, place, demo, exact, filters),
                         place=place,
                         day=view.as_of, key="timeline", print_width=PNG_WIDTH)
    st.caption(f"Barres : les trois années prévues de chaque commune. Trait rouge : le "
               f"{view.as_of:%d/%m/%Y}. En rouge : les communes en retard sur leurs objectifs "
               f"{view.period.label}, leur année en cours encadrée.")
    with blocks.on_demand("La frise en tableau", key=TIMELINE_TABLE_KEY) as opened:
        if opened:
            table = timeline_frame(shown)
            st.dataframe(table, hide_index=True, width="stretch",
                         column_config=french_numbers(table))


def funnel_section(url: str, view: DeploiementView, place: str, demo: bool) -> None:
    st.subheader("Entonnoir du déploiement")
    funnel = data.load_funnel(url, view.scope, view.as_of)
    st.markdown(funnel_summary(funnel, place))
    chart_with_downloads(funnel_chart(funnel), title="Entonnoir du déploiement",
                         columns=FUNNEL_COLUMNS,
                         heading=_chart_heading(url, view, place, demo, True),
                         place=place, day=view.as_of, key="funnel")
    with blocks.on_demand("L'entonnoir en tableau", key=FUNNEL_TABLE_KEY) as opened:
        if opened:
            table = funnel_frame(funnel)
            st.dataframe(table, hide_index=True, width="stretch",
                         column_config=french_numbers(table))


def start_progress(url: str, view: DeploiementView, progress: ObjectivesProgress) -> None:
    """The month ends of the progress charts started in a thread of their own
    (``data.prefetch``) while the points de vigilance are computed: their database reads
    overlap the points' Python (France's first date of a school year: ten month ends)."""
    data.prefetch(partial(data.load_monthly_progress, url, view.scope, view.period,
                          view.as_of, progress_targets(progress)))


def progress_section(url: str, view: DeploiementView, progress: ObjectivesProgress,
                     exact: bool, demo: bool) -> None:
    """Cumulative workshops, parents reached and Parents Ressources, month by month."""
    st.subheader(f"Progression mois par mois — {view.period.label}")
    points = data.load_monthly_progress(url, view.scope, view.period, view.as_of,
                                        progress_targets(progress))
    commune_level = view.scope.kind == COMMUNE
    place = data.load_scope_label(url, view.scope)
    heading = _chart_heading(url, view, place, demo, exact or not commune_level)
    for column, code in zip(st.columns(len(PROGRESSION_CODES)), PROGRESSION_CODES,
                            strict=True):
        ind = CATALOGUE[code]
        series = points[points["indicator"] == code]
        small = not exact and commune_level and ind.counts_people and bool(
            series["value"].map(is_small_count).any())
        if commune_level and not small:
            series = series.assign(value=series["value"].map(
                lambda v, c=code: mask_value(c, v, commune_level=True, exact=exact)))
        summary = f"**{ind.label}** : " + progress_summary(
            series, ind.unit, ind.decimals, exact, commune_level)
        with column:
            if small:
                summary += (" Courbe masquée en vue publique : certains mois comptent de 1 à "
                            "4 personnes.")
            elif not series.empty:
                chart_with_downloads(
                    progress_chart(series, view.period, ind.label),
                    title=f"Progression {view.period.label} — {ind.label}",
                    columns=PROGRESS_COLUMNS, heading=heading, place=place,
                    day=view.as_of, key=f"progress_{code}")
            st.caption(summary)
    st.caption("Bleu : cumul depuis le 1er septembre. Rouge : l'objectif de l'année. "
               "Pointillés : le rythme qui mène à l'objectif le 31 août.")


def objective_editor(url: str, view: DeploiementView, account: Account) -> None:
    """The « mode édition » toggle and form; a plain note for viewers who cannot edit."""
    if message := st.session_state.pop(DONE_KEY, None):
        st.success(message, icon=":material/check_circle:")
    if not account.can_edit:
        st.caption("Les éditeurs connectés (« Espace éditeurs », dans la barre latérale) "
                   "peuvent fixer ou modifier les objectifs de leurs territoires.")
        return
    if not st.toggle("Mode édition : fixer ou modifier un objectif", key="edit_mode"):
        return
    kind, code = objective_scope(view.scope)
    kinds = [k.value for k in ScopeKind]
    with st.form("objective-form"):
        col_kind, col_code, col_period = st.columns(3)
        scope_kind = col_kind.selectbox(FIELDS["perimetre"], kinds, index=kinds.index(kind),
                                        format_func=lambda k: ScopeKind(k).label,
                                        placeholder="Choisir un périmètre")
        scope_code = col_code.text_input(FIELDS["code"], value=code,
                                         help="Code du département (95, 2A, 971) ou code "
                                              "INSEE de la commune ; vide pour la France.")
        period = col_period.text_input(FIELDS["periode"], value=view.period.label,
                                       help="Du 1er septembre au 31 août : « 2023-2024 ».")
        col_indicator, col_target = st.columns([3, 1])
        indicator = col_indicator.selectbox(
            FIELDS["indicateur"], list(CATALOGUE),
            format_func=lambda c: f"{CATALOGUE[c].label} ({CATALOGUE[c].unit})",
            placeholder="Choisir un indicateur")
        target = col_target.number_input(FIELDS["cible"], value=None, step=1.0,
                                         placeholder="ex. 30", help="Un nombre positif (au plus "
                                         f"{format_number(MAX_OBJECTIVE_TARGET)}) ; "
                                         "un pourcentage entre 0 et 100.")
        submitted = st.form_submit_button("Enregistrer l'objectif", type="primary",
                                          icon=":material/save:")
    if not submitted:
        return
    cells = {"perimetre": scope_kind, "code": scope_code, "periode": period,
             "indicateur": indicator, "cible": target}
    report = record_objective(data.write_engine(), cells, account=account,
                              today=data.today(), now=data.now())
    if report.refused:
        st.error("L'objectif n'a pas été enregistré :", icon=":material/error:")
        for problem in report.errors:
            st.error(_field_message(problem))
        return
    data.refresh_after_write()
    st.session_state[DONE_KEY] = (
        f"Objectif enregistré : {CATALOGUE[indicator].label}, {period.strip()}, "
        f"{format_figure(target)} "
        f"(journal : n° {report.batch_id}). Les chiffres de la page sont recalculés.")
    st.rerun()


def _field_message(problem: Problem) -> str:
    """« Objectif : « -3 » — attendu un nombre positif » (the form's labels, no row)."""
    field = FIELDS.get(problem.column or "", "Formulaire")
    found = f"« {problem.value} » — " if problem.value is not None else ""
    return f"{field} : {found}{problem.expected}"


def french_numbers(frame: pd.DataFrame) -> dict:
    """Every numeric column of ``frame`` in the viewer's number format (« 1 234,5 » in a
    French browser), still sorted as numbers."""
    return {column: st.column_config.NumberColumn(format="localized")
            for column in frame.columns if pd.api.types.is_numeric_dtype(frame[column])
            and not pd.api.types.is_bool_dtype(frame[column])}


# What each chart's CSV holds: its plotted fields and their French headers.
TIMELINE_COLUMNS = {"label": "Commune", "phase_label": "Phase", "school_year": "Année scolaire",
                    "start_date": "Du", "end_date": "Au",
                    "status_label": "Statut de l'année en cours",
                    "late_objectives": "Objectifs en retard",
                    "late_now": "Année en cours en retard"}
FUNNEL_COLUMNS = {"stage": "Étape", "reached": "Communes",
                  "communes": "Dont dans cette phase à la date"}
PROGRESS_COLUMNS = {"day": "Au", "value": "Cumul", "target": "Objectif de l'année"}


def progress_targets(progress: ObjectivesProgress) -> tuple[tuple[str, float], ...]:
    """The objectives the progress charts draw (their indicator, their target)."""
    return tuple((code, target) for code, target in
                 zip(progress.table["indicator"], progress.table["target"], strict=True)
                 if code in PROGRESSION_CODES)


def page_demo(url: str, view: DeploiementView, progress: ObjectivesProgress,
              exact: bool) -> bool:
    """Demo rows in a figure of the page: the objectives (targets, achieved values), the
    roll-out plans up to the date (a commune's plan, the timeline, the funnel), the points de
    vigilance or the progress charts — each read as its section reads it (the same cache
    entries: nothing is computed twice)."""
    if progress.demo or data.load_rollout_demo(url, view.scope, view.as_of):
        return True
    points = data.load_vigilance(url, view.scope, view.as_of, exact)
    return bool(points["demo"].any()) or bool(data.load_monthly_progress(
        url, view.scope, view.period, view.as_of, progress_targets(progress))["demo"].any())


def _chart_heading(url: str, view: DeploiementView, place: str, demo: bool, exact: bool,
                   filters=()) -> list[tuple[str, str]]:
    """The first lines of a chart's CSV on this page: territory, school year and date as the
    objectives' exports write them, the page's demo notice (``page_demo``), the chart's
    ``filters``, and the public rule when it may change what is drawn (not ``exact``)."""
    progress = data.load_objectives_progress(url, view.scope, view.period, view.as_of)
    lines = [*objectives_heading(place, progress, demo=demo), *filters]
    if not exact:
        lines.append(("Vue publique", "effectifs de 1 à 4 personnes d'une commune « < 5 », "
                                      "les autres arrondis à 5 près"))
    return lines
