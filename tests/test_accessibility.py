"""axe-core on every view the accessibility statement names (RGAA 4.1 / WCAG 2.2 AA).

Each view of ``tne_dash.accessibility.AXE_VIEWS`` is opened in Chromium (1440 × 1000) on one
server for the module, its expanders and tabs opened, then axe-core (tests/a11y/, pinned by
its lockfile, installed by ``make test``) is injected into the page and into every frame —
the folium map's iframe, Streamlit's component iframes — and run there with the WCAG 2.0,
2.1 and 2.2 A and AA rules. Any violation fails the view's test, listed with its rule,
impact, elements and frame. The editors' pages are checked a second time signed in, with
their forms showing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser import (
    MAP_CANVAS,
    chromium_browser,
    page_in,
    sign_in_on_page,
    streamlit_server,
    wait_until_rendered,
    wait_until_settled,
)
from required import missing

from tne_dash.accessibility import AXE_VIEWS, CheckedView

pytestmark = pytest.mark.browser

AXE_SCRIPT = (Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core"
              / "axe.min.js")
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# Rules switched off, each with the reason why. Empty: every WCAG A/AA rule runs.
DISABLED_RULES: dict[str, str] = {}

# Elements a rule does not apply to, by WCAG's own exceptions: rule → (CSS selector, reason).
EXEMPT_ELEMENTS: dict[str, tuple[str, str]] = {
    "target-size": (
        ".leaflet-container .leaflet-marker-icon",
        "Les groupes de points de la carte (CNFS, lieux) sont placés là où sont les communes : "
        "deux couches aux mêmes endroits se chevauchent. C'est l'exception « Essentielle » du "
        "critère 2.5.8 (Understanding WCAG 2.2 : « in digital maps, the position of pins is "
        "analogous to the position of places shown on the map … the Essential exception "
        "applies ») ; le zoom de la carte (boutons de 30 px) et le tableau sous la carte "
        "donnent le même accès."),
}

EDITOR = "claire"
EDITOR_PASSWORD = "Bezons-95063-atelier"

# The same check, signed in as an editor of the Val-d'Oise: what matters on these pages is
# the editor's form, which anonymous viewers never see.
SIGNED_IN_VIEWS: tuple[CheckedView, ...] = (
    CheckedView("Saisie (éditeur connecté, Bezons choisie)", "/saisie"),
    CheckedView("Import (éditeur connecté)", "/importer"),
)

# In each frame: axe-core over that frame's document only (each frame is run by itself, so
# nothing is counted twice), violations reduced to what a failure message needs.
RUN_AXE = """async ([tags, disabled, exempt]) => {
    const rules = Object.fromEntries(disabled.map((id) => [id, {enabled: false}]));
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: tags}, rules, iframes: false, elementRef: true,
        resultTypes: ['violations'],
    });
    return result.violations.map((v) => {
        const nodes = v.nodes.filter((n) => !(exempt[v.id] && n.element
                                               && n.element.matches(exempt[v.id])));
        return {id: v.id, impact: v.impact, help: v.help,
                targets: nodes.map((n) => n.target.join(' ')),
                summaries: nodes.map((n) => n.failureSummary || '')};
    }).filter((v) => v.targets.length);
}"""


def require_axe_core() -> str:
    """axe.min.js's source, after checking the npm package is installed (fails in CI)."""
    if not AXE_SCRIPT.exists():
        missing("axe-core", "paquet npm absent : npm ci --prefix tests/a11y (make test le lance)")
    return str(AXE_SCRIPT)


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module's views, each opened in a fresh context (``page_in``):
    one launch instead of one per view."""
    with chromium_browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def public_server(built_db_url):
    """One server for every anonymous view."""
    require_axe_core()
    with streamlit_server(built_db_url) as base:
        yield base


@pytest.fixture(scope="module")
def editor_server(built_db_url, tmp_path_factory):
    """A server on a copy of the built database with one editor account (95)."""
    import shutil

    from tne_dash.access import Account, Role, hash_password, save_accounts

    require_axe_core()
    scratch = tmp_path_factory.mktemp("a11y-editor")
    database = scratch / "copy.sqlite"
    shutil.copy(Path(built_db_url.removeprefix("sqlite:///")), database)
    accounts = scratch / "accounts.toml"
    save_accounts(accounts, [Account(EDITOR, Role.EDITEUR, frozenset({"95"}),
                                     password_hash=hash_password(EDITOR_PASSWORD))])
    with streamlit_server(f"sqlite:///{database}", TNE_DASH_ACCOUNTS_FILE=str(accounts)) as base:
        yield base


def open_section(page, text: str) -> None:
    """Click a tab or an expander by its text, and wait for the rerun it may cause."""
    main = page.locator('[data-testid="stMain"]')
    tab = main.get_by_role("tab", name=text, exact=True)
    if tab.count():
        tab.first.click()
    else:
        summary = main.locator('[data-testid="stExpander"] summary', has_text=text)
        assert summary.count() >= 1, f"rien à ouvrir nommé « {text} »"
        summary.first.click()
    wait_until_rendered(page)


def wait_for_frames(page) -> int:
    """Every iframe has loaded; each folium map (a component frame whose document holds a
    Leaflet container) has drawn its canvas. Returns how many maps there are."""
    page.wait_for_load_state("load")
    maps = 0
    for frame in page.frames[1:]:
        frame.wait_for_load_state("load")
        if "streamlit_folium" in frame.url or frame.locator(".leaflet-container").count():
            frame.locator(".leaflet-container").first.wait_for(timeout=60_000)
            frame.locator(MAP_CANVAS).first.wait_for(timeout=30_000)
            maps += 1
    wait_until_settled(page)  # component heights settling
    return maps


def frame_name(page, frame) -> str:
    if frame == page.main_frame:
        return "page"
    element = frame.frame_element()
    title = element.get_attribute("title") or ""
    return f"iframe « {title} » ({frame.url[:80]})"


def axe_violations(page) -> list[str]:
    """axe-core injected into the page and every frame, run in each; one line per violation."""
    script = require_axe_core()
    found: list[str] = []
    for frame in page.frames:
        if frame.is_detached():
            continue
        frame.add_script_tag(path=script)
        violations = frame.evaluate(RUN_AXE, [
            list(WCAG_TAGS), list(DISABLED_RULES),
            {rule: selector for rule, (selector, _why) in EXEMPT_ELEMENTS.items()}])
        for violation in violations:
            found.append(
                f"{violation['id']} ({violation['impact']}) dans {frame_name(page, frame)} — "
                f"{violation['help']} : "
                + json.dumps(violation["targets"], ensure_ascii=False)
                + "\n    " + violation["summaries"][0].replace("\n", "\n    "))
    return found


def assert_no_violation(page, view: CheckedView) -> None:
    """Open the view's sections, wait for its frames, run axe-core everywhere: none found."""
    assert page.locator('[data-testid="stException"]').count() == 0
    for text in view.opens:
        open_section(page, text)
    maps = wait_for_frames(page)
    if view.path.startswith("/carte"):  # the map's own frame is checked too
        assert maps == 1
    violations = axe_violations(page)
    assert not violations, (f"{view.name} ({view.path}) : {len(violations)} règle(s) WCAG "
                            "enfreinte(s)\n" + "\n".join(violations))


def test_no_rule_is_switched_off_or_narrowed_without_a_reason():
    assert all(reason.strip() for reason in DISABLED_RULES.values())
    assert all(selector.strip() and len(reason) > 40
               for selector, reason in EXEMPT_ELEMENTS.values())


def test_the_map_lets_the_page_be_zoomed():
    from tne_dash import maps

    page = maps.base_map().get_root().render()
    assert maps.ZOOMABLE_VIEWPORT in page
    assert "maximum-scale" not in page and "user-scalable" not in page


@pytest.mark.parametrize("view", AXE_VIEWS, ids=[view.name for view in AXE_VIEWS])
def test_axe_core_finds_no_wcag_violation_on_the_view(browser, public_server, view):
    require_axe_core()
    with page_in(browser, 1440, 1000) as (page, outside, errors):
        page.goto(f"{public_server}{view.path}")
        wait_until_rendered(page)
        assert_no_violation(page, view)
        assert errors == [] and outside == []


def sign_in_as_the_editor(page, base: str) -> None:
    sign_in_on_page(page, base, "/saisie", EDITOR, EDITOR_PASSWORD)


@pytest.mark.parametrize("view", SIGNED_IN_VIEWS, ids=[view.name for view in SIGNED_IN_VIEWS])
def test_axe_core_finds_no_wcag_violation_on_the_editors_forms(browser, editor_server, view):
    require_axe_core()
    with page_in(browser, 1440, 1000) as (page, outside, errors):
        sign_in_as_the_editor(page, editor_server)
        page.goto(f"{editor_server}{view.path}")
        wait_until_rendered(page)
        main = page.locator('[data-testid="stMain"]')
        if view.path == "/saisie":  # the whole form shows once a commune is chosen
            page.get_by_text("Saisir un atelier").wait_for(timeout=30_000)
            main.get_by_label("Commune (tapez pour chercher)").click()
            page.keyboard.type("Bezons")
            page.keyboard.press("Enter")
            page.get_by_text("Enregistrer l'atelier").wait_for(timeout=30_000)
        else:
            main.get_by_text("Importer des données").first.wait_for(timeout=30_000)
        wait_until_rendered(page)
        assert_no_violation(page, view)
        assert errors == [] and outside == []
