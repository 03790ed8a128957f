"""Plain HTML tables (html_tables): text escaped, codes, links that only open pages, and
what screen readers need (headers, caption, a named scroll box)."""

from __future__ import annotations

import math

import pandas as pd
from apptest import TableReader

from tne_dash.html_tables import Best, Code, Link, table_html

HOSTILE = '<img src=x onerror=alert(1)> "quoted" & [clic](javascript:alert(1))'


def read(markup: str) -> tuple[str, list, list]:
    reader = TableReader()
    reader.feed(markup)
    (table,) = reader.tables
    return table


def test_every_cell_is_shown_as_the_text_it_holds():
    frame = pd.DataFrame({"Nom": [HOSTILE, "Écouen"], "Note": [None, math.nan]})
    markup = table_html(frame, caption="Communes")
    assert "<img" not in markup and "onerror=alert(1)>" not in markup
    caption, header, rows = read(markup)
    assert caption == "Communes" and header == ["Nom", "Note"]
    assert rows == [[HOSTILE, ""], ["Écouen", ""]]  # an empty cell, not « None » or « nan »


def test_a_link_opens_its_page_in_a_new_tab_and_only_a_page():
    frame = pd.DataFrame({"Lien": [Link(HOSTILE, "/deploiement?scope=commune:95063&to=2023-04-17"),
                                   Link("piège", "javascript:alert(1)"),
                                   Link("ailleurs aussi", "//evil.example/x"),
                                   Link("ailleurs", 'https://x.fr/"><script>')]})
    markup = table_html(frame, caption="Liens")
    assert markup.count("<a ") == 2 and 'href="javascript' not in markup
    assert 'target="_blank" rel="noopener noreferrer"' in markup
    assert "<script>" not in markup and "&quot;&gt;&lt;script&gt;" in markup
    _, _, rows = read(markup)
    assert rows[0] == [Link(HOSTILE, "/deploiement?scope=commune:95063&to=2023-04-17")]
    assert rows[1] == ["piège"] and rows[2] == ["ailleurs aussi"]  # its words, no link
    assert "evil.example" not in markup
    assert str(Link("Bezons — page Déploiement", "/x")) == "Bezons — page Déploiement"


def test_codes_are_code_and_row_headers_head_their_row():
    frame = pd.DataFrame({"Règle": ["Arrondi <5>"], "Code": [Code("parents_reached")]})
    markup = table_html(frame, caption="Règles", row_headers=True)
    assert '<th scope="row">Arrondi &lt;5&gt;</th>' in markup
    assert "<code>parents_reached</code>" in markup
    assert markup.count('<th scope="col">') == 2
    _, _, rows = read(markup)
    assert rows[0][1] == Code("parents_reached")


def test_the_box_scrolls_by_keyboard_is_named_and_keeps_its_height_when_asked():
    frame = pd.DataFrame({"A": ["1"]})
    markup = table_html(frame, caption='Points de vigilance — "Val-d\'Oise"', max_height=720)
    assert markup.startswith('<div class="tne-table-box" role="region" '
                             'aria-label="Points de vigilance — &quot;Val-d&#x27;Oise&quot;" '
                             'tabindex="0" style="max-height: 720px">')
    assert "style=" not in table_html(frame, caption="A")


def test_a_best_value_stands_out_in_strong_and_reads_as_its_text():
    frame = pd.DataFrame({"Indicateur": ["Ateliers"], "Bezons": [Best(HOSTILE)], "Cergy": ["3"]})
    markup = table_html(frame, caption="Comparaison", row_headers=True)
    assert '<strong class="tne-best">&lt;img' in markup and "<img" not in markup
    _, _, rows = read(markup)
    assert rows == [["Ateliers", HOSTILE, "3"]]
    assert str(Best("1,6")) == "1,6"
