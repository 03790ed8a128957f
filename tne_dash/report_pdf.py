"""A ``report_document.Report`` drawn as an A4 PDF with reportlab (BSD): its text, tables,
bar and timeline charts and its map as vector graphics — offline, no browser.

French typography: the narrow no-break space of the labels helpers (« 1 438 », « 12,5 % »)
is absent from reportlab's Bitstream Vera fonts, so it becomes a no-break space, as in the
fiche commune; « », — and − are in the fonts. Every text is escaped for reportlab's
paragraph mini-markup: a name from a file or a form is printed as it is, never read as
markup. Metadata: title, author, subject, keywords, language (``/Lang``), the title shown
by the viewer, one bookmark per section. Tagging (PDF/UA) is beyond reportlab's open-source
version: the report says so, and gives each chart and the map as text too.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.shapes import FILL_EVEN_ODD, Drawing, Line, Rect, String
from reportlab.graphics.shapes import Path as GraphicPath
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    HRFlowable,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from tne_dash import report_document as doc
from tne_dash.labels import NNBSP
from tne_dash.palette import BLEU_FRANCE, GREY, LIGHT_GREY, ROUGE_ERREUR, TEXT_GREY

FONT, BOLD = "Vera", "VeraBd"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
TOP, BOTTOM = 16 * mm, 16 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
BLUE, RED = colors.HexColor(BLEU_FRANCE), colors.HexColor(ROUGE_ERREUR)
INK, RULE = colors.HexColor(TEXT_GREY), colors.HexColor(GREY)
# Below this distance (in points on the page) a map vertex adds nothing visible.
MAP_TOLERANCE = 0.35
MAP_HEIGHT = {"communes": 110 * mm, "france": 105 * mm}
INSET_SIZE = 27 * mm
PAGE_COUNT = "page-count"


def report_pdf(report: doc.Report) -> bytes:
    """The PDF of ``report`` (A4 portrait)."""
    register_fonts()
    styles = _styles()
    story: list = [
        HRFlowable(width="100%", thickness=3, color=BLUE, spaceAfter=3 * mm),
        _Heading(_markup(report.title), styles["title"], outline=report.title),
        Paragraph(_markup(report.subtitle), styles["subtitle"]),
        Spacer(1, 3 * mm),
    ]
    if report.notice:
        story.append(_notice(report.notice, styles))
    for index, section in enumerate(report.sections):
        if section.new_page and index:
            story.append(PageBreak())
        parts = [_flowables(block, styles) for block in section.blocks]
        heading = [_Heading(_markup(section.title), styles["heading"], outline=section.title),
                   HRFlowable(width="100%", thickness=0.5, color=RULE, spaceAfter=2 * mm)]
        # The heading stays with the texts that open the section and the chart or table
        # they introduce; a chart stays with its legend (never a KeepTogether in another:
        # reportlab would then see an endless height and break the page every time).
        opening = next((i + 1 for i, block in enumerate(section.blocks)
                        if not isinstance(block, doc.Text)), len(parts))
        story += [CondPageBreak(30 * mm),
                  KeepTogether(heading + [f for part in parts[:opening] for f in part])]
        story += [part[0] if len(part) == 1 else KeepTogether(part)
                  for part in parts[opening:]]
        story.append(Spacer(1, 3 * mm))
    buffer = io.BytesIO()
    template = _ReportTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP,
        bottomMargin=BOTTOM, title=report.title, author=report.author,
        subject=report.subject, keywords=list(report.keywords), creator=report.author,
        lang=report.language, displayDocTitle=True)
    template.build(story, canvasmaker=_numbered_canvas(report.footer))
    return buffer.getvalue()


# ── Text ─────────────────────────────────────────────────────────────────────────────────


# French typography: no line break before « : ; ! ? % » nor inside « ».
_NO_BREAK = {" :": "\u00a0:", " ;": "\u00a0;", " !": "\u00a0!", " ?": "\u00a0?",
             " %": "\u00a0%", "« ": "«\u00a0", " »": "\u00a0»"}


def plain(value: str) -> str:
    """A text with its narrow no-break spaces (absent from the font) as no-break spaces,
    and no line break where French typography forbids one."""
    text = str(value).replace(NNBSP, "\u00a0")
    for space, kept in _NO_BREAK.items():
        text = text.replace(space, kept)
    return text


def _markup(value: str) -> str:
    """Plain text made safe for reportlab's paragraph mini-markup (names come from users
    and files: « <b> » stays « <b> »); a line break stays one."""
    return "<br/>".join(escape(plain(line)) for line in str(value).split("\n"))


def register_fonts() -> None:
    """reportlab's own Bitstream Vera fonts (accents, « », —, −), registered once."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "VeraBd.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK,
                          spaceAfter=2 * mm)
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=19, leading=23,
                                textColor=BLUE, spaceAfter=1.5 * mm),
        "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=9.5, leading=12,
                                   textColor=INK),
        "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=13, leading=16,
                                  textColor=BLUE, spaceBefore=1 * mm, spaceAfter=1 * mm),
        doc.BODY: body,
        doc.LEAD: ParagraphStyle("lead", parent=body, fontSize=10.5, leading=14),
        doc.SMALL: ParagraphStyle("small", parent=body, fontSize=8, leading=10.5),
        "bullet": ParagraphStyle("bullet", parent=body, fontSize=8.5, leading=11,
                                 leftIndent=4 * mm, bulletIndent=0.5 * mm,
                                 spaceAfter=1.2 * mm),
        "notice": ParagraphStyle("notice", parent=body, fontName=BOLD, fontSize=9,
                                 leading=12, textColor=RED, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_right": ParagraphStyle("cell_right", parent=body, fontSize=8.5, leading=10.5,
                                     spaceAfter=0, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=8.5,
                               leading=10.5, spaceAfter=0, textColor=colors.white),
        "head_right": ParagraphStyle("head_right", parent=body, fontName=BOLD, fontSize=8.5,
                                     leading=10.5, spaceAfter=0, textColor=colors.white,
                                     alignment=TA_RIGHT),
    }


def _flowables(block, styles) -> list:
    """The flowables of one block (a chart comes with its legend and spacing)."""
    if isinstance(block, doc.Text):
        if block.bullet:
            return [Paragraph(_markup(block.text), styles["bullet"], bulletText="•")]
        return [Paragraph(_markup(block.text), styles[block.style])]
    if isinstance(block, doc.Table):
        return [_table(block, styles)]
    if isinstance(block, doc.BarChart):
        return bar_chart(block)
    if isinstance(block, doc.Timeline):
        return timeline(block)
    if isinstance(block, doc.Map):
        return map_drawing(block)
    raise TypeError(f"Bloc de rapport inconnu : {type(block).__name__}")


def _notice(text: str, styles) -> Table:
    """A warning framed in red (the demo-data notice)."""
    table = Table([[Paragraph(_markup(text), styles["notice"])]], colWidths=[WIDTH])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1, RED),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#FFE9E9")),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))
    table.spaceAfter = 3 * mm
    return table


def _table(block: doc.Table, styles) -> Table:
    def cell(text: str, column: int, head: bool, flagged: bool) -> Paragraph:
        right = column in block.numeric
        style = styles[("head" if head else "cell") + ("_right" if right else "")]
        if flagged:
            style = ParagraphStyle(f"{style.name}_flag", parent=style, textColor=RED)
        return Paragraph(_markup(text), style)

    data = [[cell(text, c, True, False) for c, text in enumerate(block.header)]]
    data += [[cell(text, c, False, r in block.flagged) for c, text in enumerate(row)]
             for r, row in enumerate(block.rows)]
    table = Table(data, colWidths=[WIDTH * share for share in block.widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), BLUE),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F3F3F8")]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    table.spaceAfter = 2.5 * mm
    return table


# ── Bars ─────────────────────────────────────────────────────────────────────────────────


def bar_chart(block: doc.BarChart) -> list:
    """Horizontal bars: the label on the left, the value at the bar's end."""
    label_width, bar_height, gap, size = 58 * mm, 10, 4, 8.5
    height = len(block.bars) * (bar_height + gap) + gap
    drawing = Drawing(WIDTH, height)
    top = max((bar.value for bar in block.bars), default=0) or 1
    room = WIDTH - label_width - 18 * mm
    for index, bar in enumerate(block.bars):
        y = height - (index + 1) * (bar_height + gap)
        drawing.add(String(label_width - 6, y + 3, _fit(plain(bar.label), label_width - 8,
                                                         FONT, size),
                           fontName=FONT, fontSize=size, fillColor=INK, textAnchor="end"))
        length = max(room * bar.value / top, 0.8)
        drawing.add(Rect(label_width, y, length, bar_height, fillColor=colors.HexColor(
            bar.colour), strokeColor=RULE, strokeWidth=0.4))
        drawing.add(String(label_width + length + 4, y + 3, plain(bar.shown), fontName=BOLD,
                           fontSize=size, fillColor=INK))
    return [drawing, Spacer(1, 3 * mm)]


# ── Timeline ─────────────────────────────────────────────────────────────────────────────


def _legend(items: tuple[doc.LegendItem, ...], width: float, size: float = 7.5) -> Drawing:
    """Swatches with their words, wrapped on as many lines as needed."""
    swatch, gap, line = 3.2 * mm, 4 * mm, 4.6 * mm
    placed, x, row = [], 0.0, 0
    for item in items:
        text = plain(item.label)
        item_width = swatch + 1.5 * mm + pdfmetrics.stringWidth(text, FONT, size)
        if x and x + item_width > width:
            x, row = 0.0, row + 1
        placed.append((x, row, item.colour, item.outlined, text))
        x += item_width + gap
    height = (row + 1) * line
    drawing = Drawing(width, height)
    for x, r, colour, outlined, text in placed:
        y = height - (r + 1) * line + 1
        drawing.add(Rect(x, y, swatch, swatch,
                         fillColor=colors.white if outlined else colors.HexColor(colour),
                         strokeColor=colors.HexColor(colour) if outlined else RULE,
                         strokeWidth=1.2 if outlined else 0.4))
        drawing.add(String(x + swatch + 1.5 * mm, y + 0.6, text, fontName=FONT, fontSize=size,
                           fillColor=INK))
    return drawing


def timeline(block: doc.Timeline) -> list:
    """One row per commune: its planned years as bars on a school-year axis, a red line at
    the date; a flagged row's name in red and its outlined year framed in red."""
    label_width, row_height, axis, size = 48 * mm, 7.4, 14, 6.3
    spans = [span for row in block.rows for span in row.spans]
    first = min([s.start for s in spans] + [block.marker])
    last = max([s.end for s in spans] + [block.marker])
    start_year = first.year if first.month >= 9 else first.year - 1
    end_year = last.year + 1 if last.month >= 9 else last.year
    origin = _ordinal(start_year, 9, 1)
    days = max(_ordinal(end_year, 9, 1) - origin, 1)
    plot = WIDTH - label_width - 2

    def x_of(day) -> float:
        return label_width + plot * (day.toordinal() - origin) / days

    height = axis + len(block.rows) * row_height + 4
    drawing = Drawing(WIDTH, height)
    bottom = 2
    for year in range(start_year, end_year + 1):
        x = label_width + plot * (_ordinal(year, 9, 1) - origin) / days
        drawing.add(Line(x, bottom, x, height - axis + 2, strokeColor=colors.HexColor(
            LIGHT_GREY), strokeWidth=0.6))
        if year < end_year:
            middle = label_width + plot * (_ordinal(year + 1, 3, 1) - origin) / days
            drawing.add(String(middle, height - axis + 4, f"{year}-{year + 1}", fontName=BOLD,
                               fontSize=size + 0.5, fillColor=INK, textAnchor="middle"))
    for index, row in enumerate(block.rows):
        y = height - axis - (index + 1) * row_height
        drawing.add(String(label_width - 4, y + 2.2, _fit(plain(row.label), label_width - 8,
                                                          BOLD if row.flagged else FONT, size),
                           fontName=BOLD if row.flagged else FONT, fontSize=size,
                           fillColor=RED if row.flagged else INK, textAnchor="end"))
        for span in row.spans:
            left, right = x_of(span.start), x_of(span.end)
            drawing.add(Rect(left, y + 1, max(right - left, 0.5), row_height - 2,
                             fillColor=colors.HexColor(span.colour),
                             strokeColor=RED if span.outlined else colors.white,
                             strokeWidth=1.2 if span.outlined else 0.4))
    marker = x_of(block.marker)
    drawing.add(Line(marker, bottom, marker, height - axis + 1, strokeColor=RED,
                     strokeWidth=1))
    drawing.add(String(marker + 2, bottom + 1, plain(block.marker_label), fontName=BOLD,
                       fontSize=size, fillColor=RED))
    legend = _legend(block.legend, WIDTH)
    return [drawing, Spacer(1, 1.5 * mm), legend, Spacer(1, 2.5 * mm)]


def _ordinal(year: int, month: int, day: int) -> int:
    return dt.date(year, month, day).toordinal()


def _fit(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut with « … » to fit ``width``."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# ── Map ──────────────────────────────────────────────────────────────────────────────────


def _projection(shapes: tuple[doc.Shape, ...], width: float, height: float):
    """An equirectangular projection (longitudes scaled by the cosine of the middle
    latitude) fitting ``shapes`` in ``width`` × ``height``: the function and the size used."""
    points = [p for shape in shapes for ring in shape.rings for p in ring]
    if not points:
        return (lambda lon, lat: (0.0, 0.0)), (width, 1.0)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    scale_x = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * scale_x, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    factor = min(width / span_x, height / span_y)
    west, south = min(lons), min(lats)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * scale_x * factor, (lat - south) * factor

    return project, (span_x * factor, span_y * factor)


def _ring_points(ring, project) -> list[tuple[float, float]]:
    kept: list[tuple[float, float]] = []
    for lon, lat in ring:
        x, y = project(lon, lat)
        if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= MAP_TOLERANCE:
            kept.append((x, y))
    return kept


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The centroid of a ring (its vertices' mean when it is degenerate)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    return cx / (3 * area), cy / (3 * area)


def _panel(panel: doc.MapPanel, width: float, height: float, title_size: float) -> Drawing:
    """One panel: its shapes filled (even-odd, so holes stay holes), thin white borders,
    emphasised territories outlined, short labels at their centre, the title above."""
    title_room = title_size + 4
    project, (used_w, used_h) = _projection(panel.shapes, width, height - title_room)
    drawing = Drawing(width, used_h + title_room)
    dx = (width - used_w) / 2
    labels = []
    for emphasised in (False, True):
        for shape in panel.shapes:
            if shape.emphasised != emphasised:
                continue
            path = GraphicPath(fillColor=colors.HexColor(shape.colour) if shape.colour
                               else None,
                               strokeColor=BLUE if emphasised else colors.HexColor("#B5B5B5"),
                               strokeWidth=0.8 if emphasised else 0.25, fillMode=FILL_EVEN_ODD,
                               strokeLineJoin=1)
            biggest: list[tuple[float, float]] = []
            for ring in shape.rings:
                points = _ring_points(ring, project)
                if len(points) < 3:
                    continue
                path.moveTo(points[0][0] + dx, points[0][1])
                for x, y in points[1:]:
                    path.lineTo(x + dx, y)
                path.closePath()
                if len(points) > len(biggest):
                    biggest = points
            drawing.add(path)
            if shape.label and biggest:
                x, y = _centre(biggest)
                labels.append((x + dx, y, shape.label, shape.colour))
    for x, y, text, fill in labels:
        dark = fill.upper() in (BLEU_FRANCE.upper(), "#6A6AF4")
        drawing.add(String(x, y - 2, plain(text), fontName=BOLD, fontSize=6.5,
                           fillColor=colors.white if dark else INK, textAnchor="middle"))
    drawing.add(String(width / 2, used_h + 3, _fit(plain(panel.title), width, BOLD,
                                                   title_size),
                       fontName=BOLD, fontSize=title_size, fillColor=INK, textAnchor="middle"))
    return drawing


def map_drawing(block: doc.Map) -> list:
    """The main panel, the insets in a row under it, then the legend."""
    kind = "france" if block.insets else "communes"
    parts: list = [_panel(block.main, WIDTH, MAP_HEIGHT[kind], 9)]
    if block.insets:
        cells = [_panel(inset, INSET_SIZE, INSET_SIZE, 6.5) for inset in block.insets]
        row = Table([cells], colWidths=[WIDTH / len(cells)] * len(cells))
        row.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                 ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                 ("BOX", (0, 0), (-1, -1), 0.4, colors.HexColor(LIGHT_GREY)),
                                 ("INNERGRID", (0, 0), (-1, -1), 0.4,
                                  colors.HexColor(LIGHT_GREY))]))
        parts += [Spacer(1, 2 * mm), row]
    if block.legend:
        parts += [Spacer(1, 2.5 * mm), _legend(block.legend, WIDTH, 8)]
    parts.append(Spacer(1, 2.5 * mm))
    return parts


# ── Pages ────────────────────────────────────────────────────────────────────────────────


class _Heading(Paragraph):
    """A heading that becomes a bookmark of the PDF's outline."""

    def __init__(self, text: str, style: ParagraphStyle, outline: str):
        super().__init__(text, style)
        self.outline = plain(outline)
        self.keepWithNext = True


class _ReportTemplate(BaseDocTemplate):
    def __init__(self, buffer, **kwargs):
        super().__init__(buffer, **kwargs)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        self._bookmarks = 0

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, _Heading):
            self._bookmarks += 1
            key = f"section-{self._bookmarks}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline, key, level=0)


def _numbered_canvas(footer: str) -> type[Canvas]:
    """A canvas that writes ``footer`` and « page n sur N » at the foot of every page: N is
    a form drawn once the last page is known, which every page refers to (pages are written
    as they come, so that bookmarks point to their own page)."""

    class NumberedCanvas(Canvas):
        def showPage(self):
            self._foot()
            super().showPage()

        def save(self):
            self.beginForm(PAGE_COUNT)
            self.setFont(FONT, 7)
            self.setFillColor(INK)
            self.drawString(0, 0, str(self.getPageNumber() - 1))
            self.endForm()
            self.showOutline()
            super().save()

        def _foot(self) -> None:
            self.saveState()
            y = BOTTOM - 9 * mm
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            self.line(MARGIN, BOTTOM - 5 * mm, PAGE_WIDTH - MARGIN, BOTTOM - 5 * mm)
            self.setFont(FONT, 7)
            self.setFillColor(INK)
            total_at = PAGE_WIDTH - MARGIN - pdfmetrics.stringWidth("00", FONT, 7)
            page = f"page {self.getPageNumber()} sur "
            self.drawRightString(total_at, y, page)
            room = total_at - MARGIN - pdfmetrics.stringWidth(page, FONT, 7) - 6 * mm
            self.drawString(MARGIN, y, _fit(plain(footer), room, FONT, 7))
            self.translate(total_at, y)
            self.doForm(PAGE_COUNT)
            self.restoreState()

    return NumberedCanvas
