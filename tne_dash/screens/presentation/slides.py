"""The presentation's slides as HTML: very large figures sized to their box, bars, the share
block. Pure functions (no streamlit); every name from the database or a file is escaped.

Sizes use container query units (``cqi``): a figure takes a share of its own card's width, so
« 1 234 567 » fits at 1280×720 as at 1920×1080 — never cut off.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import pandas as pd

from tne_dash.figures.live_figures import Honour
from tne_dash.figures.metrics import Kpi
from tne_dash.figures.objectives import Status
from tne_dash.labels import DEMO_BADGE, format_number, format_percent
from tne_dash.maps import COHORT_COLOURS
from tne_dash.palette import (
    BLEU_FRANCE,
    GREEN_PCN,
    GREY,
    PHASE_COLOURS,
    ROUGE_ERREUR,
    TEXT_GREY,
)
from tne_dash.vocabulary import NOT_ENGAGED, Cohort

STATUS_COLOURS = {Status.REACHED.value: GREEN_PCN, Status.ON_TRACK.value: BLEU_FRANCE,
                  Status.LATE.value: ROUGE_ERREUR, Status.NO_TARGET.value: GREY}
BLEU_FRANCE_975 = "#F5F5FE"  # the lightest tint of bleu France: card backgrounds
TOURNESOL = "#FFE552"  # the State palette's yellow: a figure that just changed
WARNING = "#B34000"  # the State palette's warning colour: the demo badge

STYLE = f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {{
  display: none !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 1.5vh 2.5vw 0 !important;
  max-width: 100% !important; }}
.tne-slide {{ font-family: Arial, Helvetica, sans-serif; color: #161616; }}
.tne-head {{ display: flex; align-items: flex-end; justify-content: space-between;
  gap: 2vw; border-bottom: .5vh solid {BLEU_FRANCE}; padding-bottom: 1vh;
  margin-bottom: 2.5vh; }}
.tne-head h1 {{ font-size: clamp(1.6rem, 3.4vw, 4.5rem); color: {BLEU_FRANCE}; margin: 0;
  padding: 0; line-height: 1.1; font-weight: 700; }}
.tne-head .tne-scope {{ font-size: clamp(1rem, 1.7vw, 2.2rem); color: {TEXT_GREY};
  text-align: right; }}
.tne-demo {{ display: inline-block; background: {WARNING}; color: #fff; font-weight: 700;
  padding: .2em .6em; margin-top: .3em; font-size: clamp(.9rem, 1.3vw, 1.7rem); }}
.tne-sub {{ font-size: clamp(1rem, 1.8vw, 2.3rem); color: {TEXT_GREY}; margin: 0 0 2vh; }}
.tne-first {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(150px, 17vw);
  gap: 2.5vw; align-items: start; }}
.tne-first .tne-grid {{ height: 60vh; grid-auto-rows: 1fr; }}
.tne-grid {{ display: grid; grid-template-columns: repeat(var(--cols, 3), minmax(0, 1fr));
  gap: 2.2vh 1.8vw; }}
.tne-fig {{ container-type: inline-size; background: {BLEU_FRANCE_975};
  border-left: .6vw solid {BLEU_FRANCE}; padding: 1.5vh 1.2vw; display: flex;
  flex-direction: column; justify-content: center; }}
.tne-fig .tne-value {{ font-size: clamp(1.8rem, 19cqi, 11rem); font-weight: 700;
  color: {BLEU_FRANCE}; line-height: 1.05; white-space: nowrap; overflow: hidden; }}
.tne-fig .tne-label {{ font-size: clamp(.95rem, 6.5cqi, 2.6rem); line-height: 1.2; }}
.tne-fig.tne-changed {{ animation: tne-flash 8s ease-out 1; }}
.tne-fig .tne-new {{ display: none; }}
.tne-fig.tne-changed .tne-new {{ display: inline-block; background: {BLEU_FRANCE};
  color: #fff; font-size: clamp(.8rem, 4.5cqi, 1.6rem); padding: .1em .5em;
  margin-left: .4em; vertical-align: middle; }}
@keyframes tne-flash {{ 0%, 35% {{ background: {TOURNESOL}; }}
  100% {{ background: {BLEU_FRANCE_975}; }} }}
.tne-share {{ text-align: center; font-size: clamp(.9rem, 1.3vw, 1.8rem);
  color: {TEXT_GREY}; }}
.tne-share img {{ width: 100%; height: auto; display: block; }}
.tne-share .tne-link {{ font-weight: 700; color: {BLEU_FRANCE}; }}
/* The short link breaks only between its pieces (share_block), never inside a word. */
.tne-share .tne-link > span {{ white-space: nowrap; }}
.tne-bars {{ display: flex; flex-direction: column; gap: 2.2vh; }}
.tne-bar-row {{ display: grid; grid-template-columns: minmax(0, 2.2fr) minmax(0, 3fr)
  minmax(0, 1.6fr); gap: 1.5vw; align-items: center;
  font-size: clamp(1rem, 1.9vw, 2.6rem); }}
.tne-bar-track {{ background: #E5E5E5; height: 4.5vh; position: relative; }}
.tne-bar-fill {{ height: 100%; }}
.tne-bar-mark {{ position: absolute; top: -1vh; bottom: -1vh; width: .3vw; min-width: 3px;
  background: #161616; }}
.tne-bar-figure {{ font-weight: 700; white-space: nowrap; }}
.tne-chip {{ display: inline-block; color: #fff; padding: .1em .5em; margin-top: .2em;
  font-size: .7em; font-weight: 700; }}
.tne-phases {{ display: grid; grid-template-columns: auto auto minmax(0, 1fr);
  gap: 2vh .8vw; align-items: center; font-size: clamp(.95rem, 1.5vw, 2.2rem); }}
.tne-phases .tne-total {{ grid-column: 1 / -1; }}
.tne-swatch {{ width: 1.1em; height: 1.1em; border: 1px solid {GREY}; }}
.tne-phases b {{ font-size: 1.7em; color: {BLEU_FRANCE}; text-align: right; }}
.tne-honour-name {{ font-size: clamp(2.4rem, 6.5vw, 9rem); font-weight: 700;
  color: {BLEU_FRANCE}; line-height: 1; margin: 1vh 0 1.5vh; }}
.tne-empty {{ font-size: clamp(1.2rem, 2.6vw, 3.4rem); color: {TEXT_GREY}; margin: 6vh 0; }}
/* Streamlit's own key hints (« Space », read « Shortcut Space »): the controls bar writes
   the keys in French instead. */
[class*="st-key-presentation_"] kbd {{ display: none; }}
/* The footer under a projected slide: small and quiet. */
.st-key-tne-footer {{ opacity: .8; font-size: .8rem; }}
/* A phone opening the presentation: one figure per row, the share block under them, no
   figure cut. */
@media (max-width: 640px) {{
  .tne-first {{ grid-template-columns: minmax(0, 1fr); }}
  .tne-first .tne-grid {{ height: auto; }}
  .tne-grid {{ grid-template-columns: repeat(min(var(--cols, 3), 2), minmax(0, 1fr)); }}
  .tne-fig {{ min-height: 16vh; }}
  .tne-share img {{ max-width: 60vw; margin: 0 auto; }}
  .tne-bar-row {{ grid-template-columns: minmax(0, 1fr); gap: .5vh; }}
}}
</style>"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def slide_head(title: str, scope_label: str, demo: bool) -> str:
    """The slide's title, the territory and, whenever demo rows are shown, the demo badge."""
    badge = f'<div class="tne-demo">{esc(DEMO_BADGE)}</div>' if demo else ""
    return (f'<div class="tne-head"><h1>{esc(title)}</h1>'
            f'<div class="tne-scope">{esc(scope_label)}<br>{badge}</div></div>')


def subtitle(text: str) -> str:
    return f'<p class="tne-sub">{esc(text)}</p>'


def empty(text: str) -> str:
    return f'<p class="tne-empty">{esc(text)}</p>'


def figure_grid(kpis: Sequence[Kpi], changed: Iterable[str] = (), columns: int = 3) -> str:
    """Very large figures, ``columns`` per row; a changed one flashes and says « à jour »."""
    changed = set(changed)
    cards = "".join(
        f'<div class="tne-fig{" tne-changed" if k.code in changed else ""}" '
        f'data-code="{esc(k.code)}" title="{esc(k.help)}">'
        f'<div class="tne-value">{esc(k.value)}</div>'
        f'<div class="tne-label">{esc(k.label)}<span class="tne-new">mis à jour</span></div></div>'
        for k in kpis)
    return f'<div class="tne-grid" style="--cols: {int(columns)}">{cards}</div>'


def link_pieces(shown: str) -> list[str]:
    """The short link cut where a line may break: after each dot or slash of its address
    (only a long address needs it), and before « ?scope=… », which stays whole."""
    address, mark, query = shown.partition("?")
    return [piece for piece in re.split(r"(?<=[./])", address) if piece] + \
        ([mark + query] if mark else [])


def share_block(link: str, qr_uri: str) -> str:
    """The QR code (an SVG data URI drawn locally) and the short link to the same scope,
    never broken inside « ?scope=… » nor inside a word of its address."""
    shown = link.split("://", 1)[-1]
    parts = "<wbr>".join(f"<span>{esc(piece)}</span>" for piece in link_pieces(shown))
    return (f'<div class="tne-share"><img src="{esc(qr_uri)}" '
            f'alt="QR code : {esc(shown)}"><div>Le tableau de bord de ce territoire :</div>'
            f'<div class="tne-link">{parts}</div></div>')


def first_slide(kpis: Sequence[Kpi], changed: Iterable[str], share: str) -> str:
    return f'<div class="tne-first">{figure_grid(kpis, changed)}{share}</div>'


def bar_rows(rows: Iterable[tuple[str, str, float | None, str, str]],
             mark: float | None = None) -> str:
    """Rows of (label, figure, % of the bar 0–100 or None, colour, chip text or ""); ``mark``
    draws a line across every bar at that % (where the objectives should be by now)."""
    line = "" if mark is None else (f'<div class="tne-bar-mark" '
                                    f'style="left:{max(0.0, min(100.0, mark)):.1f}%"></div>')
    out = []
    for label, figure, pct, colour, chip in rows:
        width = 0.0 if pct is None else max(0.0, min(100.0, pct))
        chip_html = (f'<br><span class="tne-chip" style="background:{colour}">{esc(chip)}</span>'
                     if chip else "")
        out.append(
            f'<div class="tne-bar-row"><div>{esc(label)}{chip_html}</div>'
            f'<div class="tne-bar-track"><div class="tne-bar-fill" '
            f'style="width:{width:.1f}%;background:{colour}"></div>{line}</div>'
            f'<div class="tne-bar-figure">{esc(figure)}</div></div>')
    return f'<div class="tne-bars">{"".join(out)}</div>'


def objective_bars(objectives: pd.DataFrame, elapsed: float) -> str:
    """One bar per objective: « 412 sur 600 · 69 % », coloured by status, with a line at the
    share of the year gone by (``elapsed``, 0–1)."""
    rows = [(r.label,
             f"{r.achieved} sur {r.target}" + ("" if pd.isna(r.pct) else
                                              f" · {format_percent(r.pct, 0)}"),
             None if pd.isna(r.pct) else r.pct, STATUS_COLOURS[r.status], r.status_label)
            for r in objectives.itertuples()]
    return bar_rows(rows, mark=100 * elapsed)


def theme_bars(themes: pd.DataFrame, limit: int = 6) -> str:
    """The month's themes, largest first, bars relative to the largest."""
    top = themes.head(limit)
    largest = max(int(top["workshops"].max()), 1) if not top.empty else 1
    return bar_rows((r.label, format_number(r.workshops), 100.0 * r.workshops / largest,
                     BLEU_FRANCE, "") for r in top.itertuples())


def communes(count: int, state: str) -> str:
    """« commune engagée » / « communes engagées »: French plural from 2 (0 and 1 singular);
    ``state`` ends with the adjective."""
    if count < 2:
        return f"commune {state}"
    words = state.split(" ")
    return " ".join(["communes", *words[:-1], words[-1] + "s"])


def phase_legend(phases: pd.DataFrame, map_of_departements: bool = False) -> str:
    """Communes per phase beside the map, the not-engaged ones last and quiet. Swatches of
    the phases when the map colours communes; on the map of France (départements coloured by
    TNE cohort), the cohorts' swatches instead, so every colour on screen is explained."""
    engaged = phases[phases["phase"] != NOT_ENGAGED]
    rows = [(f'<div class="tne-swatch" style="background:{PHASE_COLOURS[r.phase]}"></div>'
             if not map_of_departements else "<div></div>")
            + f'<b>{format_number(r.communes)}</b><div>{esc(r.label)}</div>'
            for r in engaged.itertuples()]
    total = int(engaged["communes"].sum())
    others = int(phases.loc[phases["phase"] == NOT_ENGAGED, "communes"].sum())
    rows.insert(0, f'<div class="tne-total"><b>{format_number(total)}</b> '
                f'{communes(total, "engagée")}</div>')
    rows.append(f'<div class="tne-total" style="color:{TEXT_GREY}">{format_number(others)} '
                f'{communes(others, "pas encore engagée")}</div>')
    if map_of_departements:
        rows += [f'<div class="tne-swatch" style="background:{COHORT_COLOURS[c.value]}"></div>'
                 f'<div style="grid-column: 2 / -1">{esc(c.label)}</div>' for c in Cohort]
    return f'<div class="tne-phases">{"".join(rows)}</div>'


def honour_card(honour: Honour, school_year: str) -> str:
    """The commune's name, very large; who it is; why it was chosen; its year's figures."""
    return (
        f'<div class="tne-honour-name">{esc(honour.name)}</div>'
        f'<p class="tne-sub">{esc(honour.departement)} · '
        f'{format_number(honour.population)} habitants · {esc(honour.phase)}<br>'
        f'<em>{esc(honour.reason)}</em></p>'
        f'<p class="tne-sub">Depuis la rentrée ({esc(school_year)}) :</p>'
        + figure_grid(honour.kpis, columns=len(honour.kpis))
    )


def wrap(*parts: str) -> str:
    return f'<div class="tne-slide">{"".join(parts)}</div>'
