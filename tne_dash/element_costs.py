"""What each kind of Streamlit element costs in the browser, for ``tne-dash bench``.

The heavy pages' ratios to the empty page (``browser_bench``) mix two costs: what our code
makes the server and the page do, and what Streamlit's frontend needs to draw the page's
elements whatever their data — its React tree, its widgets' and tables' scripts, Vega. This
section measures the second on the bench's own machine, so that a page's time can be read
against the least its elements cost.

One server (``streamlit run``, the app's middleware and TCP settings, as the empty page's)
serves synthetic pages with no data to compute: the empty page again (« Page vide », a
title), and, at ``/?elements=<kind>``, a title and ``count`` elements of one kind, each as
the app writes it (a tile: a bordered ``st.metric`` with help and change; a filter: an
``st.multiselect`` in the sidebar; a chart: a small Altair bar chart; a table: an
``st.dataframe`` of 100 rows; a download: an ``st.download_button`` whose file is made on
click; a paragraph: an ``st.markdown``). Each page is opened ``ELEMENT_VIEWS`` times in fresh
browser contexts, round after round (every page once per round, so a slow period of the
machine falls on all of them), and rendered by the bench's rule (``browser_bench.RENDERED``).

For each kind: the median time, the time above the empty page of the same server
(``extra_ms``) and that extra divided by the count (``per_element_ms``), what one more such
element adds to a page on this machine.
"""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tne_dash.browser_bench import (
    CHROMIUM,
    EMPTY_SERVER,
    BrowserUnavailable,
    check_browser,
    chromium_browser,
    open_view,
    streamlit_server,
    unavailable,
)


@dataclass(frozen=True)
class ElementPage:
    """A synthetic page: ``count`` elements of one kind, written by ``body`` (the lines of
    its function, indented)."""

    path: str
    kind: str  # in French, for the table
    count: int
    body: str


ELEMENT_PAGES = (
    ElementPage("texte", "paragraphes (st.markdown)", 40,
                "    for i in range(40):\n"
                "        st.markdown(f'Paragraphe {i} : **un chiffre** et une phrase qui le "
                "situe.')\n"),
    ElementPage("tuiles", "tuiles (st.metric encadré, aide, évolution)", 12,
                "    columns = st.columns(4)\n"
                "    for i in range(12):\n"
                "        columns[i % 4].container(border=True).metric(\n"
                "            f'Indicateur {i}', f'{1000 * i}', delta='+5 %',\n"
                "            help='Son calcul.')\n"),
    ElementPage("filtres", "filtres (st.multiselect, panneau latéral)", 8,
                "    for i in range(8):\n"
                "        st.sidebar.multiselect(f'Filtre {i}', ['un', 'deux', 'trois'],\n"
                "                               default=['un'])\n"),
    ElementPage("graphiques", "graphiques (Altair, barres)", 6,
                "    frame = pd.DataFrame({'mois': list('abcdefghij'), 'ateliers': range(10)})\n"
                "    for _ in range(6):\n"
                "        st.altair_chart(alt.Chart(frame).mark_bar().encode(x='mois', "
                "y='ateliers'),\n"
                "                        width='stretch')\n"),
    ElementPage("tableaux", "tableaux (st.dataframe, 100 lignes)", 2,
                "    frame = pd.DataFrame({'commune': [f'Commune {i}' for i in range(100)],\n"
                "                          'ateliers': range(100), 'parents': range(100)})\n"
                "    for _ in range(2):\n"
                "        st.dataframe(frame, hide_index=True)\n"),
    ElementPage("telechargements", "téléchargements (st.download_button)", 12,
                "    for i in range(12):\n"
                "        st.download_button(f'Fichier {i} (CSV)', lambda: b'a;b', f'f{i}.csv',\n"
                "                           on_click='ignore', icon=':material/download:')\n"),
)
ELEMENT_VIEWS = 5
EMPTY_PATH = ""  # the synthetic app without a kind: the empty page
QUERY_KEY = "elements"


def element_app() -> str:
    """The synthetic app: one page, empty unless its address names a kind
    (``?elements=tuiles``). Its path stays ``/``: the app's middleware sends any other path
    home (``ui/page_addresses.py``)."""
    functions = "".join(f"def page_{page.path}():\n{page.body}\n\n" for page in ELEMENT_PAGES)
    kinds = ", ".join(f"'{page.path}': page_{page.path}" for page in ELEMENT_PAGES)
    return (
        '"""tne-dash bench: the cost of each kind of element (tne_dash/element_costs.py)."""\n'
        "import altair as alt\nimport pandas as pd\nimport streamlit as st\n\n\n"
        f"{functions}"
        f"KINDS = {{{kinds}}}\n\n\n"
        "def page():\n"
        f"    kind = st.query_params.get({QUERY_KEY!r}, '')\n"
        "    st.title(f'Page de {kind}' if kind in KINDS else 'Page vide')\n"
        "    if kind in KINDS:\n        KINDS[kind]()\n\n\n"
        "st.navigation([st.Page(page, title='Page vide')]).run()\n")


def element_url(base: str, path: str) -> str:
    """The address of a synthetic page (``EMPTY_PATH``: the empty page)."""
    return f"{base}/?{QUERY_KEY}={path}" if path != EMPTY_PATH else f"{base}/"


def element_benchmark(chromium: str = CHROMIUM, views: int | None = None) -> dict:
    """The ``elements`` section of ``tne-dash bench``, in its own Chromium; says
    ``{"available": false, "reason": …}`` when it could not be measured."""
    try:
        check_browser(chromium)
    except BrowserUnavailable as exc:
        return unavailable(str(exc))
    folder = Path(tempfile.mkdtemp(prefix="tne-dash-elements-"))  # the server's log stays
    try:
        with chromium_browser(chromium) as browser:
            return measure_elements(browser, folder, views)
    except Exception as exc:  # noqa: BLE001 — a failure here must not lose the other sections
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        return unavailable(f"la mesure des éléments a échoué ({type(exc).__name__} : "
                           f"{first_line}) ; journaux dans {folder}")


def measure_elements(browser, folder: Path, views: int | None = None) -> dict:
    """The ``elements`` section: every synthetic page opened ``views`` times, round after
    round, on one server; medians, extras over the empty page, per element."""
    views = views or ELEMENT_VIEWS
    script = folder / "elements.py"
    script.write_text(element_app(), encoding="utf-8")
    server = folder / "serveur_elements.py"
    server.write_text(EMPTY_SERVER.format(script=str(script)), encoding="utf-8")
    paths = [EMPTY_PATH, *(page.path for page in ELEMENT_PAGES)]
    times: dict[str, list[float]] = {path: [] for path in paths}
    with streamlit_server(server, None, folder / "elements.log") as (base, _process):
        for path in paths:  # the server's imports and each page's first run
            open_view(browser, element_url(base, path))
        for _ in range(views):
            for path in paths:
                times[path].append(open_view(browser, element_url(base, path)).ms)
    return element_section(times, views)


def element_section(times: dict[str, list[float]], views: int) -> dict:
    """The JSON section from each page's times (``EMPTY_PATH``: the empty page)."""
    empty = round(statistics.median(times[EMPTY_PATH]), 1)
    kinds = {}
    for page in ELEMENT_PAGES:
        ms = round(statistics.median(times[page.path]), 1)
        extra = round(ms - empty, 1)  # from the rounded medians the section shows
        kinds[page.path] = {"what": page.kind, "count": page.count, "ms": ms,
                            "extra_ms": extra, "per_element_ms": round(extra / page.count, 1),
                            "all_ms": [round(t, 1) for t in times[page.path]]}
    return {"available": True,
            "measured": "pages synthétiques sans données ni menu, servies comme la page vide ; "
                        f"médiane de {views} vues, chaque vue dans un contexte neuf, les pages "
                        "alternées à chaque tour",
            "views": views, "empty_page_ms": empty,
            "empty_page_all_ms": [round(t, 1) for t in times[EMPTY_PATH]],
            "kinds": kinds}
