"""The « rapport de situation » of a département, the 12 TNE départements or France at a date,
as plain data (``report_document.Report``): what the PDF shows, in which order, in French.

Every figure comes from the figure functions the pages use — the headline figures of Accueil
(``compute_indicators``, ``metrics.headline_kpis``) and the same figures one year earlier,
the objectives of Déploiement (``objectives_progress``, ``objectives_table``), its funnel
(``rollout.phase_funnel``) and timeline (``timeline.departement_rollout``), the points de
vigilance (``vigilance.vigilance_points``), the latest workshop (``freshness``) and the
sources register (``store.sources``). The map is drawn from the outline files of the
reference pack (``store.outlines``), the very files the app's map serves.

Small counts: ``exact=False`` (the public report) words the counts of people of a commune
as every public view does (rounded to 5, « < 5 ») — the timeline's late objectives and the
points de vigilance; figures above commune level stay exact, as on the pages.
A commune has its own sheet (the « fiche commune » of Comparer): no report for it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.filter_scope import unfiltered
from tne_dash.figures.filters import Filters
from tne_dash.figures.freshness import latest_workshop_date
from tne_dash.figures.indicators import IndicatorValues, compute_indicator_table, compute_indicators
from tne_dash.figures.metrics import change, headline_kpis
from tne_dash.figures.objectives import ObjectivesProgress, Status, objectives_progress
from tne_dash.figures.objectives_table import objectives_frame, objectives_summary
from tne_dash.figures.privacy import MASK, ROUNDED_TO, mask_value
from tne_dash.figures.rollout import commune_phases, phase_funnel
from tne_dash.figures.scope import (
    DEPARTEMENT,
    NATIONAL,
    TNE,
    InvalidScope,
    Scope,
    check_scope_exists,
    scope_label,
)
from tne_dash.figures.timeline import (
    departement_rollout,
    select_communes,
    timeline_bars,
    timeline_summary,
)
from tne_dash.figures.vigilance import vigilance_points, vigilance_summary
from tne_dash.figures.vigilance_rules import SEVERITY_LABELS, VIGILANCE_RULES
from tne_dash.labels import (
    APP_TITLE,
    DEMO_BADGE,
    DEMO_NOTICE,
    NO_DATA,
    format_date,
    format_number,
    format_percent,
    format_value,
    population_note,
)
from tne_dash.palette import BLEU_FRANCE, PHASE_COLOURS, ROUGE_ERREUR
from tne_dash.periods import Period, school_year_of, shift_years
from tne_dash.report_document import (
    LEAD,
    SMALL,
    Bar,
    BarChart,
    LegendItem,
    Map,
    MapPanel,
    Report,
    Section,
    Shape,
    Span,
    Table,
    Text,
    Timeline,
    TimelineRow,
)
from tne_dash.store import queries
from tne_dash.store.outlines import commune_outlines, departement_outlines
from tne_dash.store.reference import CNFS_VINTAGE, TNE_COHORTS
from tne_dash.store.sources import SOURCES
from tne_dash.vocabulary import NOT_ENGAGED, PHASE_LABELS, PHASE_ORDER, PHASE_STATES, Cohort

REPORT_KINDS = (DEPARTEMENT, TNE, NATIONAL)
REPORT_TITLE = "Rapport de situation"
# After the headline figures of Accueil: the other figures of the Indicateurs tiles and the
# programme's own stock indicators.
MORE_CODES = ("participations", "workshop_hours", "venues", "parents_ressources_active",
              "target_schools_with_pcn_pct", "strategies_validated")
# The stages of the funnel (the Déploiement page's words).
FUNNEL_STAGES = {
    PHASE_ORDER[0]: "Communes du territoire",
    PHASE_ORDER[1]: "Engagées (année 1 commencée)",
    PHASE_ORDER[2]: "En année 2 ou au-delà",
    PHASE_ORDER[3]: "En autonomie (année 3 ou au-delà)",
}
# A timeline longer than this many communes lists the first ones (by engagement date).
MAX_TIMELINE_ROWS = 60
# The late communes listed with their late objectives under the timeline.
MAX_LATE_ROWS = 10
# The points de vigilance quoted in full (the most urgent first); all are counted by rule.
TOP_POINTS = 5
COHORT_COLOURS = {Cohort.PILOT_2020.value: BLEU_FRANCE, Cohort.EXTENSION_2021.value: "#6A6AF4"}
COHORT_WORDS = {Cohort.PILOT_2020.value: "TNE, pilote (rentrée 2020)",
                Cohort.EXTENSION_2021.value: "TNE, extension (rentrée 2021)"}
OUTSIDE_TNE = "#F6F6F6"
SHAPE_OUTSIDE = "#FFFFFF"


class ReportScopeRefused(InvalidScope):
    """A territory the report does not cover (a commune has its fiche); French message."""


def check_report_scope(scope: Scope) -> None:
    """Raise ReportScopeRefused unless ``scope`` is a département, the TNE or France."""
    if scope.kind not in REPORT_KINDS:
        raise ReportScopeRefused(
            f"Le rapport de situation porte sur un département, les 12 départements TNE ou "
            f"la France, pas sur une commune (« {scope} ») : pour une commune, utilisez sa "
            f"fiche (page Comparer, ou tne-dash fiche --commune {scope.code}).")


def situation_report(conn: Connection, scope: Scope, as_of: dt.date, *, exact: bool,
                     reference_dir: Path, generated_on: dt.date,
                     period: Period | None = None) -> Report:
    """The report of ``scope`` at ``as_of`` (objectives of ``period``, by default the school
    year of ``as_of``); ``exact=False`` is the public report. Raises InvalidScope for an
    unknown territory or a commune."""
    check_report_scope(scope)
    check_scope_exists(conn, scope)
    period = period or school_year_of(as_of)
    place = scope_label(conn, scope)
    year_before = shift_years(as_of, -1)
    values = compute_indicators(conn, scope, Filters(date_to=as_of))
    previous = compute_indicators(conn, scope, Filters(date_to=year_before))
    progress = objectives_progress(conn, scope, period, as_of)
    phases = commune_phases(conn, scope, Filters(), as_of)
    funnel = phase_funnel(phases)
    points = vigilance_points(conn, scope, as_of, exact=exact)
    demo = values.demo or progress.demo or bool(points["demo"].any())
    timeline = (timeline_blocks(conn, scope, period, as_of, place, exact)
                if scope.kind == DEPARTEMENT else ())
    # A drawn timeline fills its page; the map starts the next one.
    drawn = any(isinstance(block, Timeline) for block in timeline)

    opening = [
        Text(f"{population_note(values.population)}. Chiffres cumulés depuis le début du "
             "programme, comme sur la page Accueil, comparés à ceux d'un an plus tôt.", LEAD),
        key_figures_table(values, previous, exact),
        Text(f"— : chiffre non daté (postes et structures CNFS : fichier ANCT du {CNFS_VINTAGE}"
             + ("" if scope.kind == DEPARTEMENT else
                " ; départements TNE : liste officielle du programme") + ").", SMALL),
    ]
    sections = [
        Section(f"Chiffres clés au {format_date(as_of)}", tuple(opening)),
        Section(f"Objectifs {period.label}", objectives_blocks(progress, exact)),
        Section("Déploiement des communes", funnel_blocks(funnel, place, as_of)),
        *((Section("Frise des communes engagées", timeline, new_page=drawn),)
          if scope.kind == DEPARTEMENT else ()),
        Section(f"Carte au {format_date(as_of)}",
                map_blocks(conn, scope, as_of, phases, place, reference_dir), new_page=drawn),
        Section("Points de vigilance", vigilance_blocks(points, scope, place, as_of)),
        Section("Sources, millésimes et méthode",
                sources_blocks(conn, scope, as_of, exact, generated_on)),
    ]
    version = "version exacte" if exact else "version publique"
    return Report(
        title=f"{REPORT_TITLE} — {place}",
        subtitle=f"Situation au {format_date(as_of)} · objectifs {period.label} · {APP_TITLE}",
        notice=f"{DEMO_BADGE}. {DEMO_NOTICE}" if demo else "",
        subject=(f"Volet parentalité des Territoires Numériques Éducatifs : chiffres clés, "
                 f"objectifs, déploiement, carte et points de vigilance — {place}, au "
                 f"{format_date(as_of)} ({version}"
                 + (", diffusion restreinte" if exact else "") + ")."),
        author=APP_TITLE,
        keywords=("TNE", "Territoires Numériques Éducatifs", "parentalité", place,
                  "rapport de situation"),
        sections=tuple(sections),
        footer=(f"{REPORT_TITLE} — {place} — au {format_date(as_of)} — {version}"
                + (f" — {DEMO_BADGE.lower()}" if demo else "")),
        demo=demo, exact=exact)


# ── Chiffres clés ─────────────────────────────────────────────────────────────────────────


def _evolution(code: str, now, before) -> str:
    """« +12 (+5,3 %) », « −3 (−20,0 %) », « = (stable) »; percentages in points."""
    ind = CATALOGUE[code]
    if isinstance(now, str) or isinstance(before, str) or now is None or before is None:
        return NO_DATA
    if ind.unit == "%":
        diff = float(now) - float(before)
        if round(diff, ind.decimals) == 0:
            return "= (stable)"
        sign = "+" if diff > 0 else "−"
        points = format_number(abs(diff), ind.decimals)
        return f"{sign}{points} point{'s' if abs(diff) >= 2 else ''}"
    # A true minus sign in print (the ASCII one is for Streamlit's delta colours).
    return (change(now, before, ind.decimals) or NO_DATA).replace("-", "−")


def key_figures_table(values: IndicatorValues, previous: IndicatorValues, exact: bool) -> Table:
    """The headline figures of Accueil (its tiles, masked as it masks them), then the other
    figures of the Indicateurs tiles and the programme's stocks: at the date, one year
    earlier, and the change."""
    kind = values.scope.kind
    commune_level = kind == "commune"
    undated = unfiltered(values.values, values.filters)
    # « Départements TNE : 1 » says nothing of a département.
    labels = {tile.code: tile.label for tile in headline_kpis(values, exact)
              if not (kind == DEPARTEMENT and tile.code == "tne_departements")}
    labels |= {code: CATALOGUE[code].label for code in MORE_CODES
               if code not in labels and kind in CATALOGUE[code].scopes}
    rows = []
    for code, label in labels.items():
        ind = CATALOGUE[code]
        now = mask_value(code, values[code], commune_level=commune_level, exact=exact)
        before = mask_value(code, previous[code], commune_level=commune_level, exact=exact)
        dated = code not in undated
        rows.append((label, format_value(now, ind.unit, ind.decimals),
                     format_value(before, ind.unit, ind.decimals) if dated else NO_DATA,
                     _evolution(code, now, before) if dated else NO_DATA))
    year_before = previous.filters.date_to
    return Table(("Indicateur", f"Au {format_date(values.filters.date_to)}",
                  f"Au {format_date(year_before)}", "Évolution sur un an"),
                 tuple(rows), (0.40, 0.19, 0.19, 0.22), numeric=(1, 2, 3))


# ── Objectifs ─────────────────────────────────────────────────────────────────────────────


def objectives_blocks(progress: ObjectivesProgress, exact: bool) -> tuple:
    """The Déploiement page's sentence and table (target, achieved, % reached, status)."""
    blocks: list = [Text(objectives_summary(progress))]
    frame = objectives_frame(progress, exact)
    if frame.empty:
        return tuple(blocks)
    rows, flagged = [], []
    for index, (r, t) in enumerate(zip(frame.to_dict("records"),
                                       progress.table.itertuples(), strict=True)):
        pct = r["% atteint"]
        expected = r["Attendu à date (%)"]
        rows.append((r["Indicateur"], format_value(r["Objectif"], t.unit, t.decimals),
                     r["Réalisé"] if r["Réalisé"] == MASK
                     else format_value(r["Réalisé"], t.unit, t.decimals),
                     pct if isinstance(pct, str) else format_percent(pct),
                     NO_DATA if expected is None or pd.isna(expected)
                     else format_percent(expected),
                     r["Statut"]))
        if t.status == Status.LATE.value:
            flagged.append(index)
    blocks += [
        Table(("Indicateur", "Objectif", "Réalisé", "% atteint", "Attendu à date", "Statut"),
              tuple(rows), (0.34, 0.12, 0.12, 0.12, 0.14, 0.16), numeric=(1, 2, 3, 4),
              flagged=tuple(flagged)),
        Text("Atteint : le réalisé égale ou dépasse l'objectif. En bonne voie : la part de "
             "l'objectif réalisée est au moins égale à la part de l'année scolaire écoulée "
             "(« Attendu à date »). En retard : en dessous. Le réalisé est compté du "
             "1er septembre à la date, par le même calcul que toutes les pages.", SMALL),
    ]
    return tuple(blocks)


# ── Déploiement ───────────────────────────────────────────────────────────────────────────


def funnel_sentence(funnel: pd.DataFrame, place: str) -> str:
    total, engaged, year2, autonomous = (int(v) for v in funnel["reached"])
    s = "s" if engaged > 1 else ""
    return (f"{place} : {format_number(engaged)} commune{s} engagée{s} sur "
            f"{format_number(total)}, dont {format_number(year2)} en année 2 ou au-delà et "
            f"{format_number(autonomous)} en autonomie.")


def funnel_blocks(funnel: pd.DataFrame, place: str, as_of: dt.date) -> tuple:
    """The roll-out funnel as bars (communes having reached each stage) and its sentence."""
    bars = tuple(Bar(FUNNEL_STAGES[phase], float(reached), format_number(int(reached)),
                     PHASE_COLOURS[phase])
                 for phase, reached in zip(funnel["phase"], funnel["reached"], strict=True))
    return (Text(f"Entonnoir au {format_date(as_of)} — {funnel_sentence(funnel, place)}"),
            BarChart(bars))


def timeline_blocks(conn: Connection, scope: Scope, period: Period, as_of: dt.date,
                    place: str, exact: bool) -> tuple:
    """The Déploiement page's timeline: each engaged commune's three years, the date, the
    communes late on their objectives of ``period`` — then those late objectives in words."""
    plan, communes = departement_rollout(conn, scope.code, period, as_of, exact)
    shown = select_communes(communes, sort="debut")
    if shown.empty:
        return (Text(f"Aucune commune de {place} n'a de plan de déploiement au "
                     f"{format_date(as_of)}."),)
    blocks: list = [Text(timeline_summary(shown, place, as_of))]
    drawn = shown.head(MAX_TIMELINE_ROWS)
    bars = timeline_bars(plan, drawn, as_of)
    rows = []
    for commune in drawn.itertuples():
        own = bars[bars["code_insee"] == commune.code_insee].sort_values("year_number")
        rows.append(TimelineRow(
            commune.label,
            tuple(Span(b.start_date, b.end_date, PHASE_COLOURS[b.phase], bool(b.late_now))
                  for b in own.itertuples()),
            commune.status == Status.LATE.value))
    legend = tuple(LegendItem(PHASE_COLOURS[p], PHASE_LABELS[p]) for p in PHASE_ORDER[1:])
    legend += (LegendItem(ROUGE_ERREUR, f"En retard sur ses objectifs {period.label} : nom "
                                        "en rouge, année en cours encadrée", outlined=True),)
    blocks.append(Timeline(tuple(rows), as_of, format_date(as_of), legend))
    if len(shown) > len(drawn):
        blocks.append(Text(f"La frise montre les {format_number(len(drawn))} premières "
                           f"communes engagées sur {format_number(len(shown))} ; la page "
                           "Déploiement les montre toutes.", SMALL))
    late = shown[shown["status"] == Status.LATE.value]
    if late.empty:
        return tuple(blocks)
    listed = late.head(MAX_LATE_ROWS)
    blocks.append(Table(
        ("Commune en retard", f"Objectifs {period.label} en retard : réalisé au "
                              f"{format_date(as_of)} sur objectif de l'année"),
        tuple((r.label, r.late_objectives.replace("; ", "\u00a0; ")) for r in listed.itertuples()),
        (0.26, 0.74)))
    if len(late) > len(listed):
        blocks.append(Text(f"Et {format_number(len(late) - len(listed))} autres communes en "
                           "retard : page Déploiement, trier par statut.", SMALL))
    return tuple(blocks)


# ── Carte ─────────────────────────────────────────────────────────────────────────────────


def _plural_state(phase: str, count: int) -> str:
    """« 134 non engagées », « 10 en acculturation »."""
    if phase == NOT_ENGAGED:
        return f"{format_number(count)} non engagée{'s' if count > 1 else ''}"
    return f"{format_number(count)} {PHASE_STATES[phase]}"


def map_blocks(conn: Connection, scope: Scope, as_of: dt.date, phases: pd.Series,
               place: str, reference_dir: Path) -> tuple:
    if scope.kind == DEPARTEMENT:
        return _communes_map(scope, as_of, phases, place, reference_dir)
    return _departements_map(conn, scope, as_of, reference_dir)


def _communes_map(scope: Scope, as_of: dt.date, phases: pd.Series, place: str,
                  reference_dir: Path) -> tuple:
    """The département's communes coloured by their phase at the date (the Carte page's
    colours), with its outline."""
    outlines = commune_outlines(reference_dir, scope.code)
    counts = phases.value_counts()
    legend = tuple(LegendItem(PHASE_COLOURS[p],
                              f"{PHASE_LABELS[p]} ({format_number(int(counts.get(p, 0)))})")
                   for p in PHASE_ORDER)
    words = ", ".join(_plural_state(p, int(counts[p])) for p in PHASE_ORDER if counts.get(p, 0))
    if not outlines:
        own = tuple(Shape(o.code, o.rings, OUTSIDE_TNE, emphasised=True)
                    for o in departement_outlines(reference_dir) if o.code == scope.code)
        return (Map(MapPanel(place, own), (), ()),
                Text(f"Les contours des communes ne sont fournis que pour les 12 départements "
                     f"TNE : {place} est dessiné seul. Ses communes au {format_date(as_of)} : "
                     f"{words or 'aucune'}.", SMALL))
    shapes = tuple(Shape(o.code, o.rings, PHASE_COLOURS[phases.get(o.code, NOT_ENGAGED)])
                   for o in outlines)
    shapes += tuple(Shape(o.code, o.rings, "", emphasised=True)
                    for o in departement_outlines(reference_dir) if o.code == scope.code)
    return (Map(MapPanel(f"Communes de {place} selon leur phase au {format_date(as_of)}",
                         shapes), (), legend),
            Text(f"Description de la carte : chaque commune de {place} est colorée selon sa "
                 f"phase du déploiement au {format_date(as_of)} — {words}. Les communes "
                 "engagées et leur calendrier sont détaillés dans la frise.", SMALL))


def _departements_map(conn: Connection, scope: Scope, as_of: dt.date,
                      reference_dir: Path) -> tuple:
    """France's départements, the TNE ones coloured by cohort and labelled with their code;
    the overseas départements in insets."""
    cohorts = queries.departements(conn).set_index("code")["tne_cohort"].dropna().to_dict()
    engaged = compute_indicator_table(conn, Scope(TNE), Filters(date_to=as_of),
                                      level="departement", codes=("communes_engaged",))
    engaged = engaged.set_index("key")
    main, insets = [], []
    for outline in departement_outlines(reference_dir):
        cohort = cohorts.get(outline.code)
        shape = Shape(outline.code, outline.rings,
                      COHORT_COLOURS.get(cohort, SHAPE_OUTSIDE) if cohort else SHAPE_OUTSIDE,
                      outline.code if cohort else "", emphasised=bool(cohort))
        if outline.zone == "metro":
            main.append(shape)
        else:
            insets.append(MapPanel(f"{outline.name} ({outline.code})", (shape,)))
    legend = tuple(LegendItem(colour, COHORT_WORDS[cohort])
                   for cohort, colour in COHORT_COLOURS.items())
    legend += (LegendItem(SHAPE_OUTSIDE, "Hors TNE"),)
    by_dep = "; ".join(
        f"{row['name']} ({code}) : {format_number(int(row['communes_engaged']))}"
        for code, row in engaged.sort_index().iterrows())
    title = ("Les 12 départements TNE" if scope.kind == TNE else "France entière") + \
        " — départements TNE par cohorte"
    return (Map(MapPanel(title, tuple(main)), tuple(insets), legend),
            Text(f"Description de la carte : les {len(TNE_COHORTS)} départements TNE sont "
                 "colorés selon leur cohorte et portent leur code ; les départements "
                 "d'outre-mer figurent en encart. Communes engagées au "
                 f"{format_date(as_of)} : {by_dep}.", SMALL))


# ── Points de vigilance ───────────────────────────────────────────────────────────────────


def vigilance_blocks(points: pd.DataFrame, scope: Scope, place: str, as_of: dt.date) -> tuple:
    """The points de vigilance: one sentence, the count of each rule, the most urgent in
    full (their sentences are the vigilance module's, masked for the public)."""
    blocks: list = [Text(vigilance_summary(points, place, as_of))]
    if points.empty:
        return tuple(blocks)
    by_rule = points.groupby("rule", sort=False).agg(
        points=("rule", "size"),
        territories=("code", "nunique"))
    rows = []
    for rule in VIGILANCE_RULES:
        if rule.code not in by_rule.index:
            continue
        rows.append((SEVERITY_LABELS[rule.severity], rule.title,
                     format_number(int(by_rule.at[rule.code, "points"])),
                     format_number(int(by_rule.at[rule.code, "territories"]))))
    rows.sort(key=lambda r: -next(s for s, label in SEVERITY_LABELS.items() if label == r[0]))
    blocks.append(Table(("Gravité", "Règle", "Points", "Territoires"), tuple(rows),
                        (0.16, 0.60, 0.12, 0.12), numeric=(2, 3)))
    top = points.head(TOP_POINTS)
    blocks.append(Text(f"Les {format_number(len(top))} points les plus urgents :"
                       if len(points) > len(top) else "Les points :"))
    blocks += [Text(f"{row.severity_label} — {row.sentence}", SMALL, bullet=True)
               for row in top.itertuples()]
    if len(points) > len(top):
        blocks.append(Text(
            f"Liste complète ({format_number(len(points))} points, chacun avec le lien de sa "
            f"vue) : pages Accueil et Déploiement du tableau de bord, ou « tne-dash vigilance "
            f"--scope {scope} --to {as_of.isoformat()} ».", SMALL))
    return tuple(blocks)


# ── Sources ───────────────────────────────────────────────────────────────────────────────


def sources_blocks(conn: Connection, scope: Scope, as_of: dt.date, exact: bool,
                   generated_on: dt.date) -> tuple:
    latest = latest_workshop_date(conn, scope, as_of)
    masking = (
        "Version exacte, réservée aux éditeurs du territoire : les effectifs de personnes "
        "sont exacts, même petits ; ne la diffusez pas."
        if exact else
        f"Version publique : les effectifs de personnes d'une commune sont arrondis à "
        f"{ROUNDED_TO} près, et ceux de 1 à 4 s'écrivent « {MASK} », comme sur les pages "
        "publiques, pour qu'aucune famille ne soit reconnaissable ; les totaux d'un "
        "département ou au-delà restent exacts.")
    return (
        Table(("Données", "Millésime", "Licence"),
              tuple((s.what, s.vintage, s.licence) for s in SOURCES), (0.42, 0.36, 0.22)),
        Text(f"Activité (ateliers, Parents Ressources, déploiements, objectifs) : saisie et "
             f"imports du tableau de bord ; dernier atelier enregistré au "
             f"{format_date(as_of)} : {format_date(latest) if latest else 'aucun'}. Postes "
             f"et structures de conseillers numériques : fichier ANCT du {CNFS_VINTAGE}."),
        Text("Méthode : chaque chiffre est celui des pages du tableau de bord et de la "
             "commande « tne-dash indicators » (un seul calcul) ; les définitions des "
             "indicateurs et les règles des points de vigilance sont sur la page Données."),
        Text(masking),
        Text("Accessibilité : ce PDF déclare son titre, son sujet et sa langue (fr-FR) et "
             "porte des signets par section ; il n'est pas balisé (PDF/UA), la bibliothèque "
             "libre qui le produit (reportlab) ne le permettant pas. Chaque graphique et la "
             "carte sont suivis de leur description en texte, et les mêmes chiffres sont "
             "consultables sur les pages du tableau de bord.", SMALL),
        Text(f"Rapport produit le {format_date(generated_on)} par le {APP_TITLE}.", SMALL),
    )

