"""The Comparer page's table and sentences, in French: one column per commune, one row per
figure — absolute, per 1 000 inhabitants and per school — with the best value of each row.

What is shown is what is exported (CSV, XLSX, PDF). Small counts of people read « < 5 » for
the public, and so do the rates that would give them back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from tne_dash.catalogue import BASE_INDICATORS, CATALOGUE, PER_1000, Indicator
from tne_dash.figures.comparison import Comparison, per_school, rank_phrase
from tne_dash.figures.objectives import Status
from tne_dash.figures.privacy import MASK, mask_value, public_count, public_share
from tne_dash.labels import DEMO_BADGE, format_date, format_month, format_number, format_value
from tne_dash.vocabulary import NOT_ENGAGED, PHASE_LABELS

# Below this population, a few workshops more or less move a rate per 1 000 a lot.
SMALL_POPULATION = 2_000
# Populations further apart than this factor: absolute figures do not compare.
POPULATION_GAP = 10
# Figures that make sense per school: activity the schools' families take part in.
PER_SCHOOL_CODES = ("workshops", "parents_reached", "parents_ressources_recruited")
# The per-capita figures of the grouped bar chart.
CHART_CODES = tuple(c + PER_1000 for c in ("workshops", "participations", "parents_reached",
                                           "parents_ressources_recruited"))
INDICATOR, BEST, CODE = "Indicateur", "Meilleure valeur", "Code"


@dataclass(frozen=True)
class Row:
    """One row of the comparison: a figure for every commune, and which ones are best."""

    label: str
    values: tuple
    code: str = ""
    unit: str = ""
    decimals: int = 0
    higher_is_better: bool | None = None  # None: not a figure to rank (population, phase…)

    @property
    def best(self) -> tuple[int, ...]:
        """Positions of the best value, when the row ranks and its values differ."""
        if self.higher_is_better is None:
            return ()
        # Compared as shown: two values that read the same are both best.
        numbers = {i: round(float(v), self.decimals) for i, v in enumerate(self.values)
                   if isinstance(v, int | float) and not math.isnan(v)}
        if len(set(numbers.values())) < 2:
            return ()
        top = (max if self.higher_is_better else min)(numbers.values())
        return tuple(i for i, v in numbers.items() if v == top)

    def formatted(self) -> list[str]:
        return [v if isinstance(v, str) else format_value(v, self.unit, self.decimals)
                for v in self.values]


def commune_columns(comp: Comparison) -> list[str]:
    """« Bezons (95) » for each commune, in the asked order."""
    return [f"{name} ({comp.departements.get(code, '?')})"
            for code, name in zip(comp.table["code_insee"], comp.table["name"], strict=True)]


@dataclass(frozen=True)
class SideBySide:
    """The comparison's rows, built once per page run and read by the table, the charts,
    the exports and the PDF."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def row(self, code: str) -> Row:
        return next(r for r in self.rows if r.code == code)


def side_by_side(comp: Comparison, exact: bool) -> SideBySide:
    """The communes' columns and the rows: context (département, population, phase,
    schools), every commune-level indicator with its per-1 000 and per-school values, then
    the objectives of the school year."""
    return SideBySide(tuple(commune_columns(comp)), tuple(_rows(comp, exact)))


def _rows(comp: Comparison, exact: bool) -> list[Row]:
    t = comp.table
    rows = [
        Row("Département", tuple(comp.departement_names.get(comp.departements.get(c), "")
                                 for c in t["code_insee"])),
        Row("Population (INSEE 2023)", tuple(int(p) for p in t["population"])),
        Row(f"Phase au {format_date(comp.as_of)}",
            tuple(PHASE_LABELS[comp.phases.get(c, NOT_ENGAGED)] for c in t["code_insee"])),
        Row("Écoles, collèges et lycées", tuple(int(s) for s in t["schools"])),
    ]
    for ind in BASE_INDICATORS:
        if "commune" not in ind.scopes:
            continue
        raw = [_number(v) for v in t[ind.code]]
        masked = [mask_value(ind.code, v, commune_level=True, exact=exact) for v in raw]
        if ind.code == "parents_ressources_active" and RECENT_REPORTS in t:
            masked = [NO_RECENT_REPORT if not reports else m
                      for m, reports in zip(masked, t[RECENT_REPORTS], strict=True)]
        rows.append(_row(ind, masked))
        if ind.per_capita:
            rate = CATALOGUE[ind.code + PER_1000]
            rows.append(_row(rate, _derived([_number(v) for v in t[rate.code]], raw, masked)))
        if ind.code in PER_SCHOOL_CODES:
            values = [per_school(v, int(s)) for v, s in zip(raw, t["schools"], strict=True)]
            rows.append(Row(f"{ind.label} par établissement", _derived(values, raw, masked),
                            ind.code + "_per_school", ind.unit, 1, ind.higher_is_better))
    return rows + _objective_rows(comp, exact)


def comparison_frame(side: SideBySide) -> pd.DataFrame:
    """The comparison as a frame: « Indicateur », one column per commune (numbers stay
    numbers, masked cells read « < 5 »), « Meilleure valeur » and the indicator « Code »."""
    return _frame(side, formatted=False)


def display_frame(side: SideBySide) -> pd.DataFrame:
    """The comparison with every value written in French (« 1 234,5 », « 12,5 % »)."""
    return _frame(side, formatted=True).drop(columns=CODE)


def _frame(side: SideBySide, formatted: bool) -> pd.DataFrame:
    columns = list(side.columns)
    records = []
    for row in side.rows:
        values = row.formatted() if formatted else row.values
        record = {INDICATOR: row.label} | dict(zip(columns, values, strict=True))
        record[BEST] = ", ".join(columns[i] for i in row.best)
        record[CODE] = row.code
        records.append(record)
    return pd.DataFrame(records, columns=[INDICATOR, *columns, BEST, CODE])


def comparison_caveats(comp: Comparison) -> list[str]:
    """What to keep in mind before reading the table, in sentences."""
    names = dict(zip(comp.table["code_insee"], commune_columns(comp), strict=True))
    population = dict(zip(comp.table["code_insee"], comp.table["population"], strict=True))
    notes = []
    small = [names[c] for c, p in population.items() if p < SMALL_POPULATION]
    if small:
        notes.append(f"{_join(small)} : moins de {format_number(SMALL_POPULATION)} habitants. "
                     "Quelques ateliers de plus ou de moins y font beaucoup varier les taux "
                     "pour 1 000 habitants.")
    if population and max(population.values()) > POPULATION_GAP * max(min(population.values()),
                                                                       1):
        notes.append(f"Populations de plus de {POPULATION_GAP} fois différentes : comparez les "
                     "valeurs pour 1 000 habitants plutôt que les valeurs absolues.")
    idle = [names[c] for c in comp.codes if comp.phases.get(c, NOT_ENGAGED) == NOT_ENGAGED]
    if idle:
        notes.append(f"{_join(idle)} : pas encore engagée(s) dans le volet parentalité au "
                     f"{format_date(comp.as_of)}.")
    return notes


def comparison_heading(comp: Comparison, exact: bool) -> list[tuple[str, str]]:
    """The lines written above an exported comparison: what, when, and the notices."""
    lines = [("Communes comparées", ", ".join(commune_columns(comp))),
             ("Période", period_label(comp)),
             ("Situation au", format_date(comp.as_of))]
    if not exact:
        lines.append(("Vue publique", f"effectifs de 1 à 4 personnes affichés « {MASK} »"))
    if comp.demo:
        lines.append(("Avertissement", DEMO_BADGE))
    return lines


def period_label(comp: Comparison) -> str:
    """« année scolaire 2022-2023, jusqu'au 17 avril 2023 » or « depuis le début … »."""
    if comp.period is None:
        return f"depuis le début du programme, jusqu'au {format_date(comp.as_of)}"
    end = min(comp.period.end, comp.as_of)
    return f"année scolaire {comp.period.label}, jusqu'au {format_date(end)}"


def per_capita_chart_frame(side: SideBySide) -> pd.DataFrame:
    """The grouped bar chart's data: commune, indicator label, value per 1 000 inhabitants
    (cells masked for the public are left out)."""
    records = []
    for column_index, commune in enumerate(side.columns):
        for code in CHART_CODES:
            value = side.row(code).values[column_index]
            if isinstance(value, int | float) and not math.isnan(value):
                records.append({"commune": commune, "indicator": code,
                                "label": CATALOGUE[code.removesuffix(PER_1000)].label,
                                "value": round(float(value), 1)})
    return pd.DataFrame(records, columns=["commune", "indicator", "label", "value"])


def per_capita_summary(side: SideBySide) -> str:
    """The grouped bar chart in sentences: who leads each per-capita figure."""
    sentences = []
    for code in CHART_CODES:
        row = side.row(code)
        parts = ", ".join(f"{c} {v}" for c, v in zip(side.columns, row.formatted(),
                                                     strict=True))
        lead = f" — en tête : {', '.join(side.columns[i] for i in row.best)}" if row.best \
            else ""
        sentences.append(f"**{row.label}** : {parts}{lead}.")
    return "  \n".join(sentences)


def _objective_rows(comp: Comparison, exact: bool) -> list[Row]:
    year = comp.objectives_period.label
    progress = [comp.objectives[c] for c in comp.codes]
    reached = []
    for p in progress:
        total = len(p.table)
        done = int((p.table["status"] == Status.REACHED.value).sum())
        reached.append(f"{done} sur {total}" if total else "Aucun objectif")
    rows = [Row(f"Objectifs {year} atteints au {format_date(comp.as_of)}", tuple(reached))]
    codes = [c for c in CATALOGUE if any(c in set(p.table["indicator"]) for p in progress)]
    for code in codes:
        values = []
        for p in progress:
            match = p.table[p.table["indicator"] == code]
            if match.empty:
                values.append(None)
                continue
            count = _number(match["achieved"].iloc[0])
            achieved = mask_value(code, count, commune_level=True, exact=exact)
            values.append(public_share(_number(match["pct_reached"].iloc[0]), count, achieved))
        rows.append(Row(f"% de l'objectif {year} : {CATALOGUE[code].label}", tuple(values),
                        code + "_pct_objective", "%", 1, True))
    return rows


# A commune whose last Parents Ressources report is too old has no active stock to show.
RECENT_REPORTS = "parents_ressources_recent_reports"
NO_RECENT_REPORT = "pas de relevé récent"


def _row(ind: Indicator, values: list) -> Row:
    return Row(ind.label, tuple(values), ind.code, ind.unit, ind.decimals, ind.higher_is_better)


def _derived(values: list, counts: list, shown: list) -> tuple:
    """Values derived from counts, as the counts are shown (hidden with a masked count,
    scaled to a rounded one: they would give the exact count back)."""
    return tuple(public_share(v, c, s) for v, c, s in zip(values, counts, shown, strict=True))


def _number(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if float(value).is_integer() and not isinstance(value, float) else \
        float(value)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def rank_sentences(ranking: pd.DataFrame, selected: list[str], names: dict[str, str],
                   place: str, indicator: str, exact: bool) -> list[str]:
    """« Bezons (95) : 3e sur 27 communes engagées du Val-d'Oise (1,4) » for each selected
    commune of the département."""
    ind = CATALOGUE[indicator]
    total = len(ranking)
    out = []
    for row in ranking[ranking["code_insee"].isin(selected)].itertuples():
        count = mask_value(indicator.removesuffix(PER_1000), _number(row.count),
                           commune_level=True, exact=exact)
        shown = public_share(row.value, _number(row.count), count)
        value = MASK if shown == MASK else format_value(shown, ind.unit, ind.decimals)
        out.append(f"**{names.get(row.code_insee, row.name)}** : "
                   f"{rank_phrase(int(row.rank), total, bool(row.tied))} communes engagées "
                   f"— {place} ({value})")
    return out


def ranking_hides_people(ranking: pd.DataFrame, indicator: str, exact: bool) -> bool:
    """True when the public must not see this distribution: it would show 1 to 4 people."""
    base = indicator.removesuffix(PER_1000)
    return any(mask_value(base, _number(c), commune_level=True, exact=exact) == MASK
               for c in ranking["count"])


def monthly_summary(series: pd.DataFrame, names: dict[str, str], show_parents: bool,
                    exact: bool = True) -> str:
    """The small multiples in sentences: totals (parents in their public form unless
    ``exact``), first and last month, busiest month."""
    if series.empty:
        return "Aucun atelier enregistré sur la période pour ces communes."
    lines = []
    for code, group in series.groupby("code_insee", sort=False):
        active = group[group["workshops"] > 0]
        if active.empty:
            lines.append(f"**{names.get(code, code)}** : aucun atelier sur la période.")
            continue
        peak = active.sort_values(["workshops", "month"], ascending=[False, True]).iloc[0]
        total = mask_value("parents_reached", int(group["parents_reached"].sum()),
                           commune_level=True, exact=exact)
        parents = f" et {format_value(total, '', 0)} parents touchés" if show_parents else ""
        lines.append(
            f"**{names.get(code, code)}** : {format_number(int(group['workshops'].sum()))} "
            f"ateliers{parents} de {format_month(active['month'].min())} à "
            f"{format_month(active['month'].max())} ; mois le plus actif : "
            f"{format_month(peak['month'])} ({format_number(int(peak['workshops']))} "
            "ateliers).")
    return "  \n".join(lines)


def public_ranking(ranking: pd.DataFrame, indicator: str, exact: bool) -> pd.DataFrame:
    """The distribution of a département as the viewer may see it: counts of people in their
    public form and the values drawn from them (ranks stay those of the exact values)."""
    base = indicator.removesuffix(PER_1000)
    if exact or not CATALOGUE[base].counts_people:
        return ranking
    counts = [_number(c) for c in ranking["count"]]
    shown = [public_count(c) for c in counts]
    return ranking.assign(count=shown, value=[
        public_share(v, c, s) for v, c, s in zip(ranking["value"], counts, shown, strict=True)])


def public_series(series: pd.DataFrame, columns: list[str], exact: bool) -> pd.DataFrame:
    """Monthly counts of people of communes in their public form (rounded to 5), so that a
    year cannot be rebuilt exactly from its months."""
    if exact:
        return series
    return series.assign(**{c: series[c].map(public_count) for c in columns
                            if c in series and CATALOGUE[c].counts_people})
