"""The « fiche commune »: one A4 page in French for an elected official to take away — name,
population, phase, headline figures against objectives, the comparison chart, the data
vintage and, when relevant, the demo-data notice.

Built with reportlab (BSD): its Bitstream Vera fonts carry the French accents, so no font of
ours is shipped (and never Marianne, whose licence forbids it). The figures are the rows of
``screens.comparer.tables`` — the very values the Comparer page shows.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tne_dash.catalogue import PER_1000
from tne_dash.charts import to_png
from tne_dash.figures.comparison import Comparison
from tne_dash.figures.objectives_table import objectives_frame
from tne_dash.figures.privacy import MASK, ROUNDED_TO
from tne_dash.labels import (
    APP_TITLE,
    DEMO_BADGE,
    DEMO_NOTICE,
    NNBSP,
    format_date,
    format_number,
    format_percent,
)
from tne_dash.palette import BLEU_FRANCE, LIGHT_GREY, ROUGE_ERREUR, TEXT_GREY
from tne_dash.screens.comparer.charts import per_capita_chart
from tne_dash.screens.comparer.tables import per_capita_chart_frame, period_label, side_by_side
from tne_dash.store.reference import CNFS_VINTAGE

FONT, BOLD = "Vera", "VeraBd"
HEADLINE_CODES = ("workshops", "participations", "parents_reached", "workshop_hours",
                  "venues", "parents_ressources_recruited", "parents_ressources_active",
                  "parents_ressources_meetings", "cnfs_posts")
MARGIN = 16 * mm
CHART_WIDTH = A4[0] - 2 * MARGIN
CHART_PIXELS = 640


def fiche_pdf(comp: Comparison, exact: bool, generated_on: dt.date) -> bytes:
    """The fiche of the first commune of ``comp`` (the others appear in its chart);
    ``exact=False`` masks small counts as every public view does."""
    _register_fonts()
    side = side_by_side(comp, exact)
    chart = per_capita_chart_frame(side)
    chart_png = to_png(per_capita_chart(chart, width=CHART_PIXELS)) if not chart.empty else None
    styles = _styles()
    name = side.columns[0]
    code = comp.codes[0]
    dep = comp.departement_names.get(comp.departements.get(code, ""), "")
    story = [
        Paragraph(_text(f"Fiche commune — {name}"), styles["title"]),
        Paragraph(_text(f"{APP_TITLE} · {dep} · {period_label(comp)}"), styles["small"]),
        Spacer(1, 3 * mm),
    ]
    if comp.demo:
        story += [_banner(f"{DEMO_BADGE}. {DEMO_NOTICE}", styles), Spacer(1, 3 * mm)]
    rows = {row.code: row for row in side.rows if row.code}
    context = [row for row in side.rows if not row.code][:4]
    story.append(Paragraph(_text(" · ".join(
        f"{row.label} : {row.formatted()[0]}" for row in context[1:])), styles["body"]))
    story += [Spacer(1, 4 * mm), Paragraph("Chiffres clés", styles["heading"]),
              _table(_headline(rows), widths=(95 * mm, 35 * mm, 45 * mm))]
    objectives = objectives_frame(comp.objectives[code], exact)
    year = comp.objectives_period.label
    story += [Spacer(1, 4 * mm),
              Paragraph(_text(f"Objectifs {year} au {format_date(comp.as_of)}"),
                        styles["heading"])]
    if objectives.empty:
        story.append(Paragraph("Aucun objectif enregistré pour cette année scolaire.",
                               styles["body"]))
    else:
        story.append(_table(_objectives(objectives),
                            widths=(70 * mm, 25 * mm, 25 * mm, 25 * mm, 30 * mm)))
    if chart_png is not None:
        others = ", ".join(side.columns[1:]) or "aucune autre commune"
        story += [Spacer(1, 4 * mm), Paragraph(_text(
            f"Pour 1 000 habitants, comparée à : {others}"), styles["heading"]),
            _image(chart_png)]
    story += [Spacer(1, 4 * mm), Paragraph(_text(_vintage(comp, exact, generated_on)),
                                           styles["small"])]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                      topMargin=14 * mm, bottomMargin=12 * mm, title=f"Fiche commune — {name}",
                      author="tne-dash", lang="fr-FR").build(story)
    return buffer.getvalue()


def _headline(rows: dict) -> list[list[str]]:
    table = [["Indicateur", "Valeur", "Pour 1 000 habitants"]]
    for code in HEADLINE_CODES:
        rate = rows.get(code + PER_1000)
        table.append([rows[code].label, rows[code].formatted()[0],
                      rate.formatted()[0] if rate else ""])
    return table


def _objectives(frame) -> list[list[str]]:
    table = [["Indicateur", "Objectif", "Réalisé", "% atteint", "Statut"]]
    for r in frame.to_dict("records"):
        pct = r["% atteint"]
        table.append([r["Indicateur"], format_number(r["Objectif"]), format_number(r["Réalisé"]),
                      pct if pct == MASK else format_percent(pct), r["Statut"]])
    return table


def _vintage(comp: Comparison, exact: bool, generated_on: dt.date) -> str:
    latest = format_date(comp.latest_activity) if comp.latest_activity else "aucune"
    masking = "" if exact else (f" Effectifs de personnes arrondis à {ROUNDED_TO} près, ceux de "
                                f"1 à 4 affichés « {MASK} », pour qu'aucune famille ne soit "
                                "reconnaissable.")
    return (f"Sources : population municipale INSEE (millésime 2023) ; conseillers numériques : "
            f"fichier ANCT du {CNFS_VINTAGE} ; activité enregistrée dans le tableau de bord "
            f"(dernier atelier : {latest}). Objectifs comptés du 1er septembre à la date de "
            f"situation. Fiche générée le {format_date(generated_on)}.{masking}")


def _table(rows: list[list[str]], widths) -> Table:
    # Plain strings: reportlab draws table cells as they are (no markup to escape).
    table = Table([[str(c).replace(NNBSP, "\u00a0") for c in row] for row in rows],
                  colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("FONT", (0, 0), (-1, 0), BOLD, 9),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BLEU_FRANCE)),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor(LIGHT_GREY)]),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _banner(text: str, styles) -> Table:
    banner = Table([[Paragraph(_text(text), styles["banner"])]], colWidths=[CHART_WIDTH])
    banner.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, colors.HexColor(ROUGE_ERREUR)),
                                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#FFE9E9"))]))
    return banner


def _image(png: bytes) -> Image:
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / image.imageWidth
    width = min(CHART_WIDTH, 170 * mm)
    image.drawWidth, image.drawHeight = width, width * ratio
    return image


def _styles() -> dict[str, ParagraphStyle]:
    grey = colors.HexColor(TEXT_GREY)
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22,
                                textColor=colors.HexColor(BLEU_FRANCE)),
        "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=11, leading=14,
                                  spaceAfter=2 * mm, textColor=colors.HexColor(BLEU_FRANCE)),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, textColor=grey),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=10, textColor=grey),
        "banner": ParagraphStyle("banner", fontName=BOLD, fontSize=9, leading=11,
                                 textColor=colors.HexColor(ROUGE_ERREUR)),
    }


def _text(value: str) -> str:
    """Names come from users and files: escaped for reportlab's mini-markup; the narrow
    no-break space (absent from Vera) becomes a no-break space."""
    return escape(str(value)).replace(NNBSP, "\u00a0")


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "VeraBd.ttf")))
