"""Every view on a phone and on two projectors, in Chromium: no sideways scroll of the page,
French everywhere, titled frames, the presentation's texts inside their boxes, the keyboard.

One server and one browser for the module: each view of ``AXE_VIEWS`` is opened on a phone
and on the 1280 × 720 projector (a fresh load at that size, as they open it), then its window
is made Full HD (1920 × 1080) — a laptop's window moved onto the big projector —; at each
size it is measured and saved as ``artifacts/<size>-<view>.png`` — the whole page: the window
is made as tall as the page for the picture, after the measures. The tests then read the
measures. (Opening each view a third time cost a third of the file: 15 page loads.)
The accessibility statement (``MANUAL_CHECKS``) names these tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from browser import (
    chromium_page,
    screenshot,
    streamlit_server,
    wait_until_rendered,
    wait_until_settled,
)

from tne_dash.accessibility import AXE_VIEWS, SCREEN_SIZES, CheckedView, ScreenSize
from tne_dash.text import slug

pytestmark = pytest.mark.browser

PROJECTORS = tuple(size for size in SCREEN_SIZES if size.width >= 1280)
# The size a view is not opened at but resized to, from the size before it.
RESIZED = SCREEN_SIZES[-1]
PRESENTATION = next(view for view in AXE_VIEWS if view.path.startswith("/presentation"))

# Texts Streamlit or Leaflet write in English by themselves (widgets, status, toolbars). Any
# of them on screen, or as a field's hint, is a text the app failed to say in French.
ENGLISH_TEXTS = (
    "Choose an option", "Choose options", "Select all", "No results", "Drag and drop",
    "Browse files", "per file", "Press Enter", "Running...", "Rerun", "Deploy",
    "Made with Streamlit", "Skip to main content", "View more", "View less", "Show more",
    "Show less", "Loading",
    "Something went wrong", "Please wait", "Connecting", "Space", "Clear all", "Zoom in",
    "Zoom out", "Fullscreen", "Download", "Upload", "Search", "Close", "Copy to clipboard",
    "No data", "Previous", "Next", "Today",
)
_ENGLISH = re.compile(r"\b(" + "|".join(re.escape(text) for text in ENGLISH_TEXTS) + r")(?!\w)")

# The page scrolls in Streamlit's main section, not in the document: both must fit the width.
# The elements that stick out of the window and are not inside a scrolling box are named.
_MEASURES = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    // Inside a box that scrolls or clips (a table, a chart): that box scrolls, not the page.
    const boxed = (e) => {
        for (let p = e.parentElement; p && p !== main; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
        }
        return false;
    };
    const sticking = [];
    for (const e of main.querySelectorAll('*')) {
        const box = e.getBoundingClientRect();
        if (box.width > 0 && box.right > window.innerWidth + 1 && !boxed(e)) {
            sticking.push((e.getAttribute('data-testid') || e.tagName.toLowerCase())
                          + (e.className && typeof e.className === 'string'
                             ? '.' + e.className.split(' ')[0] : '')
                          + ' → ' + Math.round(box.right) + ' px');
        }
    }
    // A field's hint as far as it shows: a list box's only while it shows no value.
    const hints = [...document.querySelectorAll('[placeholder]')]
        .filter((e) => !e.closest('[data-baseweb="select"]')
                       || !e.closest('[data-baseweb="select"]').innerText.trim())
        .map((e) => e.getAttribute('placeholder'));
    // Texts cut with « … » (their box too narrow): what they hide is lost.
    const cut = [...main.querySelectorAll('*')].filter((e) => {
        const style = getComputedStyle(e);
        return style.textOverflow === 'ellipsis' && e.clientWidth > 0
               && e.scrollWidth > e.clientWidth + 1;
    }).map((e) => e.innerText.trim().slice(0, 60));
    return {
        cut: cut,
        window: window.innerWidth,
        document: document.documentElement.scrollWidth,
        main: main.scrollWidth,
        main_box: main.clientWidth,
        sticking: sticking.slice(0, 8),
        lang: document.documentElement.lang,
        title: document.title,
        frames: [...document.querySelectorAll('iframe')].map((f) => f.getAttribute('title')),
        text: document.body.innerText + '\\n' + hints.join('\\n'),
        exceptions: document.querySelectorAll('[data-testid="stException"]').length,
        // Each chart as a screen reader meets it: its role, its name, its drawing hidden.
        charts: [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map((c) => ({
            role: c.getAttribute('aria-roledescription'),
            name: c.getAttribute('aria-label') || '',
            hidden: [...c.querySelectorAll(':scope > svg, :scope > canvas')]
                .every((d) => d.getAttribute('aria-hidden') === 'true'),
        })),
    };
}"""

# Inside each frame: its visible text and its buttons' hints (Leaflet's zoom buttons).
_FRAME_TEXT = """() => document.body ? document.body.innerText + '\\n' +
    [...document.querySelectorAll('[title]')].map((e) => e.getAttribute('title')).join('\\n')
    : ''"""

# The presentation's boxes: each figure and label inside its card, each part of the short
# link on one line and inside the share block.
_PRESENTATION_FITS = """() => {
    const out = [];
    for (const e of document.querySelectorAll('.tne-fig .tne-value, .tne-fig .tne-label')) {
        out.push({what: e.textContent, fits: e.scrollWidth <= e.clientWidth + 1, lines: 1});
    }
    const share = document.querySelector('.tne-share');
    const box = share.getBoundingClientRect();
    for (const e of share.querySelectorAll('.tne-link > span')) {
        const r = e.getBoundingClientRect();
        out.push({what: e.textContent, lines: e.getClientRects().length, link: true,
                  fits: r.left >= box.left - 1 && r.right <= box.right + 1});
    }
    return out;
}"""


@dataclass
class Seen:
    """What one view showed at one size."""

    view: CheckedView
    size: ScreenSize
    measures: dict
    frame_texts: list[str] = field(default_factory=list)
    presentation: list[dict] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.view.name} ({self.view.path}) en {self.size.name} " \
               f"{self.size.width} × {self.size.height}"


def picture_name(size: ScreenSize, view: CheckedView) -> str:
    return f"{size.width}x{size.height}-{slug(view.name)}"


def whole_page_screenshot(page, size: ScreenSize, name: str) -> None:
    """The window made as tall as Streamlit's scrolling section for the picture (a full-page
    screenshot alone stops at the window: the document itself does not scroll)."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    if height > size.height:
        page.set_viewport_size({"width": size.width, "height": min(height, 12_000)})
        wait_until_settled(page)
    screenshot(page, name)


@pytest.fixture(scope="module")
def server(built_db_url):
    with streamlit_server(built_db_url) as base:
        yield base


@pytest.fixture(scope="module")
def seen(server) -> list[Seen]:
    """Every view at every size, once: measures and a picture of each."""
    found: list[Seen] = []
    with chromium_page(SCREEN_SIZES[0].width, SCREEN_SIZES[0].height) as (page, outside, errors):
        for view in AXE_VIEWS:
            for size in SCREEN_SIZES:
                page.set_viewport_size({"width": size.width, "height": size.height})
                if size != RESIZED:
                    page.goto(f"{server}{view.path}")
                    wait_until_rendered(page)
                for frame in page.frames[1:]:
                    frame.wait_for_load_state("load")
                wait_until_settled(page)  # component frames taking their height
                result = Seen(view, size, page.evaluate(_MEASURES))
                result.frame_texts = [frame.evaluate(_FRAME_TEXT) for frame in page.frames[1:]
                                      if not frame.is_detached()]
                if view == PRESENTATION and size in PROJECTORS:
                    result.presentation = page.evaluate(_PRESENTATION_FITS)
                whole_page_screenshot(page, size, picture_name(size, view))
                found.append(result)
        assert outside == [], outside
        assert errors == [], errors
    return found


def test_every_view_opens_at_every_size_without_an_error(seen):
    assert len(seen) == len(AXE_VIEWS) * len(SCREEN_SIZES)
    assert [s.where for s in seen if s.measures["exceptions"]] == []


def test_no_page_scrolls_sideways_on_a_phone_or_a_projector(seen):
    wide = [f"{s.where} : page {s.measures['document']} px, section principale "
            f"{s.measures['main']} px pour {s.measures['window']} px ; "
            + ", ".join(s.measures["sticking"])
            for s in seen
            if s.measures["document"] > s.measures["window"] + 1
            or s.measures["main"] > s.measures["main_box"] + 1
            or s.measures["sticking"]]
    assert wide == [], "\n".join(wide)


def test_no_text_is_cut_off_on_a_phone_or_a_projector(seen):
    """A label Streamlit would end with « … » wraps instead (look.FITS_EVERY_SCREEN)."""
    cut = {(s.view.name, s.size.name, text) for s in seen for text in s.measures["cut"]}
    assert sorted(cut) == []


def test_every_page_has_its_own_title(seen):
    """The browser's tab names the page opened, then the app (RGAA 8.6)."""
    from tne_dash.labels import APP_TITLE
    from tne_dash.ui.navigation import PAGES

    titles = {spec.url_path: spec.title for spec in PAGES}
    home = next(spec.title for spec in PAGES if spec.default)
    wrong = []
    for s in seen:
        name = s.view.path.split("?")[0].strip("/")
        expected = f"{titles.get(name, home)} — {APP_TITLE}"
        if s.measures["title"] != expected:
            wrong.append(f"{s.where} : « {s.measures['title']} », attendu « {expected} »")
    assert wrong == [], "\n".join(wrong)


def test_every_page_is_served_in_french(seen):
    assert [s.where for s in seen if s.measures["lang"] != "fr"] == []


def test_every_frame_has_a_french_title(seen):
    """A frame's title says what it holds, in French (not a component's technical name)."""
    untitled = {(s.view.name, title) for s in seen for title in s.measures["frames"]
                if not title or re.fullmatch(r"[\w.]+", title) or _ENGLISH.search(title)}
    assert untitled == set()


def test_no_page_shows_english_text(seen):
    english = {(s.view.name, s.size.name, match.group(0))
               for s in seen
               for text in (s.measures["text"], *s.frame_texts)
               for match in _ENGLISH.finditer(text)}
    assert sorted(english) == []


def test_every_chart_is_read_as_one_image_named_in_french(seen):
    """« graphique » and the chart's title, never Vega's English; its drawing hidden."""
    charts = [(s.where, chart) for s in seen for chart in s.measures["charts"]]
    assert len({where.split(" en ")[0] for where, _ in charts}) >= 4  # the pages with charts
    wrong = [(where, chart) for where, chart in charts
             if chart["role"] != "graphique" or not chart["hidden"] or not chart["name"]
             or _ENGLISH.search(chart["name"]) or "visualization" in chart["name"].lower()]
    assert wrong == []


def test_the_presentation_texts_fit_their_boxes_on_both_projectors(seen):
    measured = [s for s in seen if s.presentation]
    assert {s.size for s in measured} == set(PROJECTORS)
    for s in measured:
        link = [part["what"] for part in s.presentation if part.get("link")]
        assert re.fullmatch(r"127\.0\.0\.1:\d+/\?scope=national", "".join(link)), link
        assert link[-1] == "?scope=national"  # one piece: never broken inside
        overflowing = [part for part in s.presentation
                       if not part["fits"] or part["lines"] != 1]
        assert overflowing == [], (s.where, overflowing)


# The focused element: on screen, and drawn clearly differently from the same element
# unfocused, on itself or on the box around it: an outline or a ring appears, or its
# background or border changes with a contrast of 3:1 at least (WCAG 1.4.11). The element
# is blurred for a moment to compare, then focused again as the keyboard left it.
_FOCUSED = """async () => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const rgb = (colour) => {
        const [r, g, b, a = 1] = colour.match(/[\\d.]+/g).map(Number);
        return [r, g, b].map((c) => c * a + 255 * (1 - a));  // over white
    };
    const luminance = (colour) => {
        const [r, g, b] = rgb(colour).map((c) => c / 255)
            .map((c) => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (one, two) => {
        const [hi, lo] = [luminance(one), luminance(two)].sort((x, y) => y - x);
        return (hi + 0.05) / (lo + 0.05);
    };
    const look = () => {
        const boxes = [];
        for (let p = e, i = 0; p && i < 4; p = p.parentElement, i++) {
            const s = getComputedStyle(p);
            boxes.push({outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1
                                 ? s.outlineStyle + s.outlineWidth + s.outlineColor : 'none',
                        ring: s.boxShadow, background: s.backgroundColor,
                        border: s.borderTopWidth !== '0px' ? s.borderTopColor : ''});
        }
        return boxes;
    };
    const frames = () => new Promise((done) => requestAnimationFrame(
        () => requestAnimationFrame(done)));  // the widget's own re-render after the event
    const focused = look();
    e.blur();
    await frames();
    const blurred = look();
    e.focus({focusVisible: true});
    await frames();
    const shows = focused.some((now, i) => {
        const before = blurred[i];
        return (now.outline !== 'none' && now.outline !== before.outline)
            || (now.ring !== 'none' && now.ring !== before.ring)
            || (now.background !== before.background
                && contrast(now.background, before.background) >= 3)
            || (now.border && before.border && now.border !== before.border
                && contrast(now.border, before.border) >= 3);
    });
    const box = e.getBoundingClientRect();
    // Its name as read: the label, not the icon's ligature (« home », « map »).
    const lines = (e.getAttribute('aria-label') || e.innerText || e.tagName).split('\\n')
        .map((line) => line.trim()).filter((line) => line);
    return {
        name: (lines[lines.length - 1] || '').slice(0, 60),
        visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
                 && getComputedStyle(e).visibility !== 'hidden',
        outlined: shows,
    };
}"""


def test_the_keyboard_reaches_every_control_with_a_visible_focus(server):
    """From the top of the home page, Tab goes through the menu, the territory and the date,
    the page's links and down to the footer's link to this statement; every element reached
    is on screen and outlined."""
    with chromium_page(1280, 720) as (page, outside, errors):
        page.goto(f"{server}/?scope=national")
        wait_until_rendered(page)
        reached = []
        for _ in range(150):
            page.keyboard.press("Tab")
            page.wait_for_timeout(120)
            focused = page.evaluate(_FOCUSED)
            if focused is None:
                continue
            reached.append(focused)
            if focused["name"].startswith("Accessibilité"):
                break
        names = [f["name"] for f in reached]
        assert "Carte" in names and any(n.startswith("Accessibilité") for n in names), names
        assert [f for f in reached if not (f["visible"] and f["outlined"])] == [], names
        assert outside == [] and errors == []
