"""The points de vigilance in the app (AppTest): Accueil's block — one tile per reason, the
most urgent points with their links —, Déploiement's section — filters by reason and severity
kept in the address, the table with its links, CSV and XLSX exports of what is shown, the
filters in their first lines —, and the map coloured by each commune's state, its legend and
the table under it saying the same in words. Every expected figure is read from
``vigilance_points`` on the same database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest
from apptest import TableReader, open_page, plain_tables, shown
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.engine import Engine
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from tne_dash.access import Account, Role
from tne_dash.exports import to_csv_bytes
from tne_dash.figures.map_frames import STATE_OF_SEVERITY, VIGILANCE_STATES
from tne_dash.figures.scope import Scope
from tne_dash.figures.vigilance import vigilance_points
from tne_dash.figures.vigilance_rules import (
    ACTIVITY_DOWN,
    LATE_OBJECTIVE,
    NO_RECENT_WORKSHOP,
    RULES,
    URGENT,
    VIGILANCE_RULES,
)
from tne_dash.html_tables import Link, table_html
from tne_dash.palette import VIGILANCE_COLOURS
from tne_dash.screens.accueil.vigilance import ALL_POINTS, NO_POINT, TILE_LABELS, page_of
from tne_dash.screens.deploiement import ui as deploiement_ui
from tne_dash.screens.deploiement.tables import (
    LINK_SHOWN,
    vigilance_display,
    vigilance_heading,
    vigilance_table,
)
from tne_dash.screens.deploiement.view import REASON_SLUGS
from tne_dash.store.db import make_engine
from tne_dash.ui.navigation import PAGES
from tne_dash.ui.pickers import KEY_DATE_TO

AS_OF = dt.date(2023, 4, 17)
TO = AS_OF.isoformat()
VAL_DOISE = "departement:95"
EDITOR_95 = Account("claire", Role.EDITEUR, frozenset({"95"}))
ECOUEN = "95205"  # late on « Parents touchés » with fewer than 5 parents (demo data)
ABLEIGES = "95002"  # not engaged: nothing to say


def points(url: str, scope: str, exact: bool = False) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return vigilance_points(conn, Scope.parse(scope), AS_OF, exact=exact)
    finally:
        engine.dispose()


def unescaped(text: str) -> str:
    """A Markdown text as the visitor reads it (every escaped punctuation bare)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def block(at: AppTest) -> list:
    """The elements of Accueil's « Points de vigilance » block, in order."""
    elements = list(at.main)
    start = next(i for i, e in enumerate(elements)
                 if e.type == "subheader" and e.value == "Points de vigilance")
    end = next(i for i, e in enumerate(elements)
               if e.type == "subheader" and e.value == "Dans ce tableau de bord")
    return elements[start:end]


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def links(at: AppTest) -> dict[str, tuple[str, dict[str, str]]]:
    """Each page link's label (as read) → (page, query parameters)."""
    return {unescaped(link.proto.label): (link.proto.page, dict(parse_qsl(
        link.proto.query_string))) for link in at.get("page_link")}


def opened(link: str) -> tuple[str, dict[str, str]]:
    """A point's link as (page, query parameters)."""
    parts = urlsplit(link)
    return parts.path.strip("/"), dict(parse_qsl(parts.query))


# ── Accueil ─────────────────────────────────────────────────────────────────────────────


def test_accueil_shows_the_val_doise_points_de_vigilance_counted_by_reason(app_env):
    expected = points(app_env, VAL_DOISE)
    at = open_page("accueil.py", scope=VAL_DOISE, to=TO)
    assert not at.exception
    assert block(at)  # the block is there, under its heading
    shown_tiles = tiles(at)
    for rule, group in expected.groupby("rule"):
        assert shown_tiles[TILE_LABELS[rule]] == str(group["code"].nunique()), rule
    assert {label for label in shown_tiles if label in TILE_LABELS.values()} == {
        TILE_LABELS[rule] for rule in set(expected["rule"])}
    notes = [c.value for c in at.caption]
    late = expected[expected["rule"] == LATE_OBJECTIVE]
    assert (f"{late['code'].nunique()} communes, {len(late)} points — prioritaire"
            in notes)
    summary = next(unescaped(m.value) for m in at.markdown
                   if "points de vigilance sur" in unescaped(m.value))
    assert summary.startswith(f"Val-d'Oise (95), au 17 avril 2023 : {len(expected)} points")
    assert any("Données de démonstration" in m.value for m in at.markdown)


def test_a_date_changed_on_accueil_reads_the_points_of_that_date_not_the_territory_again(
        app_env):
    """The territory's communes, départements and plan (``read_ground``) are kept across
    dates: a date changed reads only what depends on it, and shows that date's points."""
    at = open_page("accueil.py", scope=VAL_DOISE, to=TO)
    assert not at.exception
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    later = dt.date(2023, 11, 3)
    event.listen(Engine, "before_cursor_execute", record)
    try:
        at.date_input(key=KEY_DATE_TO).set_value(later)
        at.run()
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert not at.exception
    assert at.query_params["to"] == later.isoformat()
    assert statements  # the points of the new date were read…
    # … but not the plan (its school years) nor the territory's communes' names.
    assert not [s for s in statements if "rollout_year.school_year" in s], statements
    assert not [s for s in statements if "commune.name" in s.replace('"', "")], statements
    engine = make_engine(app_env)
    try:
        with engine.connect() as conn:
            expected = vigilance_points(conn, Scope.parse(VAL_DOISE), later, exact=False)
    finally:
        engine.dispose()
    summary = next(unescaped(m.value) for m in at.markdown
                   if "points de vigilance sur" in unescaped(m.value))
    assert summary.startswith(f"Val-d'Oise (95), au 3 novembre 2023 : {len(expected)} points")


def test_accueil_lists_the_five_most_urgent_points_with_their_links(app_env):
    expected = points(app_env, VAL_DOISE).head(5)
    at = open_page("accueil.py", scope=VAL_DOISE, to=TO)
    texts = [unescaped(m.value) for m in at.markdown]
    items = [t for t in texts if t.startswith(("**Prioritaire** — ", "**À surveiller** — "))]
    assert items == [f"**{row.severity_label}** — {row.sentence}"
                     for row in expected.itertuples()]
    assert set(expected["severity"]) == {URGENT}
    found = links(at)
    for row in expected.itertuples():
        assert found[f"{row.name} — page Déploiement"] == opened(row.link)
        assert opened(row.link)[0] == "deploiement"
    assert found[ALL_POINTS] == ("deploiement", {"scope": VAL_DOISE, "to": TO})


def test_accueil_of_a_commune_without_any_point_says_so(app_env):
    assert points(app_env, f"commune:{ABLEIGES}").empty
    at = open_page("accueil.py", scope=f"commune:{ABLEIGES}", to=TO)
    assert not at.exception
    assert [s.value for s in at.success] == [NO_POINT]


def test_accueil_of_a_commune_shows_only_its_own_points(app_env):
    expected = points(app_env, f"commune:{ECOUEN}")
    assert not expected.empty and set(expected["code"]) == {ECOUEN}
    at = open_page("accueil.py", scope=f"commune:{ECOUEN}", to=TO)
    assert {TILE_LABELS[r] for r in expected["rule"]} <= set(tiles(at))
    texts = [unescaped(m.value) for m in at.markdown]
    assert f"**{expected.iloc[0]['severity_label']}** — {expected.iloc[0]['sentence']}" in texts


def test_the_public_reads_small_counts_masked_and_an_editor_reads_them_exact(app_env):
    public = points(app_env, f"commune:{ECOUEN}")
    exact = points(app_env, f"commune:{ECOUEN}", exact=True)
    masked = next(s for s in public["sentence"] if "< 5 sur" in s)
    revealed = next(s for s in exact["sentence"] if s not in set(public["sentence"]))
    anonymous = [unescaped(m.value) for m in open_page(
        "accueil.py", scope=f"commune:{ECOUEN}", to=TO).markdown]
    editor = [unescaped(m.value) for m in open_page(
        "accueil.py", EDITOR_95, scope=f"commune:{ECOUEN}", to=TO).markdown]
    assert any(masked in text for text in anonymous)
    assert any(revealed in text for text in editor)
    assert not any(masked in text for text in editor)


# ── Déploiement ─────────────────────────────────────────────────────────────────────────


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """Every file a page offers for download, by file name, as its bytes: Streamlit's own
    in-memory media storage, read as it stores them (AppTest drops it after a run), and the
    files made on click (a callable: made here as a click would)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        if filename is not None and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        if file_name is not None:
            made = data_callable()
            files[file_name] = made.encode("utf-8") if isinstance(made, str) else made
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return files


def section_table(at: AppTest) -> pd.DataFrame:
    return next(t for t in plain_tables(at).values() if LINK_SHOWN in t.columns)


def test_a_reason_in_the_address_narrows_the_deploiement_table_to_its_points(app_env):
    every = points(app_env, VAL_DOISE)
    expected = every[every["rule"] == ACTIVITY_DOWN]
    at = open_page("deploiement.py", scope=VAL_DOISE, to=TO, vigilance="baisse")
    assert not at.exception
    assert at.multiselect(key="vigilance_reasons").value == [ACTIVITY_DOWN]
    table = section_table(at)
    assert len(table) == len(expected) < len(every)
    assert [unescaped(s) for s in table["Constat"]] == list(expected["sentence"])
    assert {unescaped(m) for m in table["Motif"]} == {RULES[ACTIVITY_DOWN].title}
    for cell, row in zip(table[LINK_SHOWN], expected.itertuples(), strict=True):
        assert cell == Link(f"{row.name} — page Indicateurs", row.link)
    assert at.query_params["vigilance"] == "baisse"
    summary = next(unescaped(m.value) for m in at.markdown if "Les filtres en retiennent"
                   in unescaped(m.value))
    assert f"Les filtres en retiennent {len(expected)} sur {len(every)}." in summary


def test_reasons_and_a_severity_together_keep_the_points_of_both(app_env):
    every = points(app_env, VAL_DOISE)
    expected = every[every["rule"].isin([LATE_OBJECTIVE, NO_RECENT_WORKSHOP])]
    at = open_page("deploiement.py", scope=VAL_DOISE, to=TO,
                   vigilance="retard,sans_atelier", gravite="prioritaire")
    table = section_table(at)
    assert [unescaped(s) for s in table["Constat"]] == list(expected["sentence"])
    assert set(table["Gravité"]) == {"Prioritaire"}
    at.multiselect(key="vigilance_severities").set_value([2]).run()  # « à surveiller »
    assert not at.exception
    assert at.query_params["gravite"] == "a_surveiller"
    assert at.query_params["vigilance"] == "retard,sans_atelier"
    assert not any(LINK_SHOWN in t.columns for t in plain_tables(at).values())  # none watch


@pytest.mark.parametrize(("params", "message"), [
    ({"vigilance": "retard,zut"}, "Valeur de « vigilance » inconnue dans l'adresse : « zut » "
                                  "— attendu retard (En retard sur un objectif de l'année)"),
    ({"gravite": "urgent"}, "Valeur de « gravite » inconnue dans l'adresse : « urgent » — "
                            "attendu prioritaire (Prioritaire), a_surveiller (À surveiller)"),
])
def test_an_unknown_reason_or_severity_in_the_address_gets_a_french_message(app_env, params,
                                                                            message):
    at = open_page("deploiement.py", scope=VAL_DOISE, to=TO, **params)
    assert not at.exception
    assert any(message in w for w in shown(at.warning))
    assert section_table(at).shape[0] > 0  # the section still shows, the value ignored


def test_a_long_list_shows_its_most_urgent_points_and_the_downloads_carry_them_all(
        app_env, downloads, monkeypatch):
    every = points(app_env, VAL_DOISE)
    assert len(every) > 3
    monkeypatch.setattr(deploiement_ui, "POINTS_ON_SCREEN", 3)
    at = open_page("deploiement.py", scope=VAL_DOISE, to=TO)
    assert not at.exception
    table = section_table(at)
    assert [unescaped(s) for s in table["Constat"]] == list(every["sentence"][:3])
    assert any(f"Les 3 points les plus urgents sont affichés, sur {len(every)}" in c.value
               for c in at.caption)
    text = downloads[f"points-de-vigilance-val-d-oise-95-{TO}.csv"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text.partition("\n\n")[2]), delimiter=";"))
    assert [r["Constat"] for r in rows] == list(every["sentence"])


def test_every_reason_has_its_word_in_the_address():
    assert set(REASON_SLUGS) == {rule.code for rule in VIGILANCE_RULES}
    assert len(set(REASON_SLUGS.values())) == len(VIGILANCE_RULES)


def test_the_exports_hold_the_filtered_points_with_the_filters_in_their_first_lines(
        app_env, downloads):
    every = points(app_env, VAL_DOISE)
    expected = every[every["rule"] == NO_RECENT_WORKSHOP]
    at = open_page("deploiement.py", scope=VAL_DOISE, to=TO, vigilance="sans_atelier")
    assert not at.exception
    name = f"points-de-vigilance-val-d-oise-95-{TO}"
    text = downloads[f"{name}.csv"].decode("utf-8-sig")
    heading, _, table = text.partition("\n\n")
    lines = dict(row[:2] for row in csv.reader(io.StringIO(heading), delimiter=";"))
    assert lines["Points de vigilance"] == "Val-d'Oise (95)"
    assert lines["Situation au"] == "17 avril 2023"
    assert lines["Motifs"] == RULES[NO_RECENT_WORKSHOP].title
    assert lines["Gravité"] == "toutes"
    assert lines["Avertissement"] == "Données de démonstration"
    assert "Vue publique" in lines
    rows = list(csv.DictReader(io.StringIO(table), delimiter=";"))
    assert [r["Constat"] for r in rows] == list(expected["sentence"])
    assert [r["Code"] for r in rows] == list(expected["code"])
    assert [r["Lien"] for r in rows] == list(expected["link"])
    assert [r["Territoire"] for r in rows] == list(section_table(at)["Territoire"].map(
        unescaped))
    # The XLSX: the same lines first, a blank row, then the same rows.
    book = load_workbook(io.BytesIO(downloads[f"{name}.xlsx"]))
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert [tuple(r[:2]) for r in sheet[:len(lines)]] == list(lines.items())
    header = sheet[len(lines) + 1]
    assert header == list(rows[0])
    assert [r[header.index("Constat")] for r in sheet[len(lines) + 2:]] == list(
        expected["sentence"])


def test_every_link_of_a_point_opens_a_page_file_of_the_navigation():
    files = {spec.path for spec in PAGES}
    for rule in VIGILANCE_RULES:
        page, params = page_of(f"{rule.view}?scope=commune:95063&to={TO}")
        assert page in files and params == {"scope": "commune:95063", "to": TO}


# ── Carte ───────────────────────────────────────────────────────────────────────────────


def communes_drawn(at: AppTest) -> dict[str, list]:
    """The communes layer of the map's script: INSEE code → [style index, tooltip], with the
    layer's styles ([fill, stroke]) under ``"styles"``."""
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    script = args["script"] + (args["feature_group"] or "")
    decoder = json.JSONDecoder()
    for start in [m.end() for m in re.finditer(r"var STYLES = ", script)]:
        styles, end = decoder.raw_decode(script, start)
        data, _ = decoder.raw_decode(script, script.index("DATA = ", end) + len("DATA = "))
        if any(len(code) == 5 for code in data):  # communes, not the département's outline
            return {"styles": styles, **data}
    raise AssertionError("no commune layer in the map")


def test_the_carte_colours_each_commune_by_its_most_severe_point_de_vigilance(app_env):
    expected = points(app_env, VAL_DOISE)
    severity = expected.groupby("code")["severity"].max()
    at = open_page("carte.py", dep="95", to=TO, couleur="vigilance")
    assert not at.exception
    assert at.selectbox(key="carte_colour").value == "vigilance"
    table = at.dataframe[0].value.set_index("Code")
    drawn = communes_drawn(at)
    styles = drawn.pop("styles")
    assert len(drawn) == len(table) == 183
    states = {}
    for code, row in table.iterrows():
        if code in severity.index:
            state = STATE_OF_SEVERITY[int(severity[code])]
        else:
            state = "non_engagee" if row["Phase"] == "Non engagée" else "aucun_point"
        states[code] = state
        assert row["Points de vigilance"] == VIGILANCE_STATES[state], code
        assert row["Nombre de points"] == int((expected["code"] == code).sum())
        style, tooltip = drawn[code]
        assert styles[style][0] == VIGILANCE_COLOURS[state], code
        assert f"Points de vigilance : {VIGILANCE_STATES[state]}" in tooltip
    assert {"prioritaire", "a_surveiller", "aucun_point", "non_engagee"} <= set(
        states.values())
    # Most severe first in the table, each commune's reasons in words.
    ranks = [list(VIGILANCE_STATES).index(states[c]) for c in table.index]
    assert ranks == sorted(ranks)
    late = expected[expected["rule"] == LATE_OBJECTIVE].iloc[0]["code"]
    assert RULES[LATE_OBJECTIVE].title in table.at[late, "Motifs de vigilance"]


def test_the_carte_legend_says_each_state_in_words_at_the_period_end(app_env):
    at = open_page("carte.py", dep="95", to=TO, couleur="vigilance")
    legend = next(m.value for m in at.markdown if "Points de vigilance au" in m.value)
    assert "**Points de vigilance au 17 avril 2023**" in legend
    for state, label in VIGILANCE_STATES.items():
        assert f"background:{VIGILANCE_COLOURS[state]};" in legend
        assert f"&nbsp;{label}" in legend
    found = links(at)
    assert found["Les points de vigilance du département"] == (
        "deploiement", {"scope": VAL_DOISE, "to": TO})
    frame_title = next(h.proto.body for h in at.get("html") if "tne-passer-carte" in
                       h.proto.body)
    assert "Val-d'Oise (95) : communes selon « Points de vigilance »" in frame_title


def _luminance(colour: str) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def _over(colour: str, background: str, opacity: float) -> str:
    mixed = [round(opacity * int(colour[i:i + 2], 16) + (1 - opacity)
                   * int(background[i:i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


MAP_BACKGROUND = "#DDDDDD"  # Leaflet's .leaflet-container, no tiles
FILL_OPACITY = 0.85  # maps._OUTLINE_SCRIPT


@pytest.mark.parametrize("state", [s for s in VIGILANCE_STATES if s != "non_engagee"])
def test_each_vigilance_colour_stands_out_3_to_1_from_the_map_and_the_borders(state):
    fill = _over(VIGILANCE_COLOURS[state], MAP_BACKGROUND, FILL_OPACITY)
    assert _contrast(fill, MAP_BACKGROUND) >= 3
    assert _contrast(fill, "#FFFFFF") >= 3  # the communes' white borders


# ── Names from the data, shown as text ──────────────────────────────────────────────────


def hostile_points() -> pd.DataFrame:
    name = "=HYPERLINK(\"http://x\") [clic](javascript:alert(1)) *gras* :material/home:"
    return pd.DataFrame([{
        "level": "commune", "code": "95001", "name": name, "departement_code": "95",
        "departement_name": "Val-d'Oise", "rule": LATE_OBJECTIVE,
        "rule_title": RULES[LATE_OBJECTIVE].title, "indicator": "workshops",
        "severity": URGENT, "severity_label": "Prioritaire",
        "sentence": f"{name} est en retard sur son objectif « Ateliers » : 62,7\u202f%.",
        "link": "/deploiement?scope=commune:95001&to=2023-04-17", "demo": False}])


def test_a_name_written_like_markup_is_plain_text_in_the_table_and_its_link():
    found = hostile_points()
    shown = vigilance_display(vigilance_table(found, with_departement=False), found)
    name = found.at[0, "name"]
    assert shown.iloc[0]["Territoire"] == name  # as it is: the HTML table escapes it
    assert shown.iloc[0][LINK_SHOWN] == Link(
        f"{name} — page Déploiement", "/deploiement?scope=commune:95001&to=2023-04-17")
    markup = table_html(shown, caption="Points de vigilance")
    assert markup.count("<a ") == 1  # one link: the name's brackets are text
    assert "javascript:" not in markup.split("<a ", 1)[1].split(">", 1)[0]
    reader = TableReader()
    reader.feed(markup)
    (_, header, rows), = reader.tables
    row = dict(zip(header, rows[0], strict=True))
    assert row["Territoire"] == name and row["Constat"] == found.at[0, "sentence"]
    assert row[LINK_SHOWN] == shown.iloc[0][LINK_SHOWN]


def test_a_name_written_like_a_formula_is_neutralised_in_the_csv():
    found = hostile_points()
    text = to_csv_bytes(vigilance_table(found, with_departement=False), heading=vigilance_heading(
        "=Val-d'Oise", AS_OF, (), (), True, False)).decode("utf-8-sig")
    heading, _, table = text.partition("\n\n")
    assert heading.splitlines()[0] == "Points de vigilance;'=Val-d'Oise"
    row = next(csv.DictReader(io.StringIO(table), delimiter=";"))
    assert row["Territoire"].startswith("'=HYPERLINK") and row["Constat"].startswith("'=")


def test_a_write_or_a_build_reads_the_territory_of_the_points_again_with_every_figure(
        app_env):
    """The territory the points read whatever the date is shared by every session
    (``st.cache_resource``); a write, a build and the bench's cold run clear it with the
    cached frames (``data.clear_figures``)."""
    from tne_dash.ui import data

    scope = Scope.parse(VAL_DOISE)
    ground = data._load_vigilance_ground(app_env, scope)
    assert data._load_vigilance_ground(app_env, scope) is ground  # shared, not copied
    data.refresh_after_write()
    again = data._load_vigilance_ground(app_env, scope)
    assert again is not ground and again.names == ground.names
    data.clear_figures()
    assert data._load_vigilance_ground(app_env, scope) is not again
