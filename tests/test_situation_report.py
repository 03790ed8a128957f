"""The « rapport de situation » PDF (issue 23): its figures read back equal ``tne-dash
indicators``, 2 to 4 A4 pages, its metadata, the demo notice, small counts masked in the
public report, a hostile commune name printed as it is; pages rendered to PNG (PDFium) and
kept in artifacts/ to be looked at; the command's refusals; who gets the exact report."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import sqlite3
from contextlib import redirect_stdout
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from apptest import open_page
from pypdf import PdfReader

from tne_dash import REFERENCE_DIR
from tne_dash.access import ANONYMOUS, Account, Role
from tne_dash.catalogue import CATALOGUE
from tne_dash.cli import main
from tne_dash.figures.metrics import HEADLINE
from tne_dash.figures.objectives import Status
from tne_dash.figures.privacy import MASK
from tne_dash.figures.scope import Scope
from tne_dash.figures.situation_report import MAX_LATE_ROWS, MORE_CODES, situation_report
from tne_dash.figures.timeline import departement_rollout, select_communes
from tne_dash.labels import format_value
from tne_dash.periods import school_year_of
from tne_dash.report_pdf import report_pdf
from tne_dash.store.db import make_engine
from tne_dash.ui.report_download import report_file_name, report_is_exact

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
AS_OF = dt.date(2023, 4, 17)
HOSTILE = "<b>Thillay</b>&amp;<font>"


def cli_json(capsys, *args: str) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def write_report(capsys, url: str, out: Path, *extra: str, scope: str = "departement:95"):
    code = main(["rapport", "--database-url", url, "--scope", scope, "--to",
                 AS_OF.isoformat(), "--out", str(out), *extra])
    printed = capsys.readouterr().out
    assert code == 0
    return PdfReader(out), printed


def text_of(reader: PdfReader) -> str:
    """The report's text, its no-break spaces as plain spaces."""
    return "\n".join(page.extract_text() for page in reader.pages).replace(
        "\u00a0", " ").replace("\u202f", " ")


def flat(text: str) -> str:
    """The text on one line (a sentence may wrap anywhere)."""
    return " ".join(text.split())


def french_number(text: str) -> float:
    """« 1 438 » → 1438, « 2 100,2 » → 2100.2, « 5,3 % » → 5.3."""
    return float(re.sub(r"[\s%]", "", text).replace(",", ".").replace("−", "-"))


def key_figure_rows(text: str) -> dict[str, tuple[str, str, str]]:
    """The rows of the « Chiffres clés » table read back: label → (at the date, a year
    earlier, change)."""
    table = text.split("Évolution sur un an", 1)[1].split("— : chiffre non daté", 1)[0]
    rows = re.findall(r"^([^\n]+?)\n\s*([^\n]+?)\n\s*([^\n]+?)\n\s*([^\n]+?)$",
                      table.replace("volet\nPCN", "volet PCN"), flags=re.MULTILINE)
    return {label.strip(): (now.strip(), before.strip(), change.strip())
            for label, now, before, change in rows}


def labels_of(kind: str) -> dict[str, str]:
    """Code → the label the report prints (Accueil's tile labels, then the catalogue's)."""
    labels = {code: label for code, label in HEADLINE.items()
              if kind in CATALOGUE[code].scopes and not (kind == "departement"
                                                          and code == "tne_departements")}
    return labels | {code: CATALOGUE[code].label for code in MORE_CODES
                     if kind in CATALOGUE[code].scopes}


def render(pdf: bytes, page_index: int, name: str) -> Path:
    """One page rendered by PDFium, saved in artifacts/ (to be looked at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    document = pdfium.PdfDocument(pdf)
    document[page_index].render(scale=1.5).to_pil().save(path)
    document.close()
    return path


def pixels_near(path: Path, colour: tuple[int, int, int], tolerance: int = 24) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return sum(count for count, pixel in image.convert("RGB").getcolors(1 << 24)
                   if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True)))


# ── Val-d'Oise at 17 April 2023, through the command ─────────────────────────────────────


@pytest.fixture(scope="module")
def val_d_oise(built_db_url, tmp_path_factory):
    """The public report of the Val-d'Oise as ``tne-dash rapport`` writes it, its text, and
    the figures of ``tne-dash indicators`` at the date and one year earlier."""
    out = tmp_path_factory.mktemp("rapport") / "rapport.pdf"
    code = main(["rapport", "--database-url", built_db_url, "--scope", "departement:95",
                 "--to", "2023-04-17", "--out", str(out)])
    assert code == 0
    figures = {}
    for day in ("2023-04-17", "2022-04-17"):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            assert main(["indicators", "--database-url", built_db_url, "--scope",
                         "departement:95", "--to", day, "--format", "json"]) == 0
        figures[day] = json.loads(buffer.getvalue())["indicators"]
    reader = PdfReader(out)
    return out.read_bytes(), reader, text_of(reader), figures


def test_the_report_figures_are_those_of_tne_dash_indicators(val_d_oise):
    _, _, text, figures = val_d_oise
    rows = key_figure_rows(text)
    labels = labels_of("departement")
    assert set(rows) == set(labels.values())
    now, year_before = figures["2023-04-17"], figures["2022-04-17"]
    for code, label in labels.items():
        decimals = CATALOGUE[code].decimals
        assert french_number(rows[label][0]) == pytest.approx(round(now[code], decimals)), label
        if code.startswith("cnfs_"):  # the ANCT file has no date: no year-ago figure
            assert rows[label][1:] == ("—", "—")
            continue
        assert french_number(rows[label][1]) == pytest.approx(
            round(year_before[code], decimals)), label
    # The change over a year is the difference of the two.
    workshops = now["workshops"] - year_before["workshops"]
    assert rows["Ateliers"][2].startswith(f"+{format_value(workshops, '')} (")
    assert rows["Communes engagées"][0] == "49"


def test_the_command_says_what_it_wrote(built_db_url, tmp_path, capsys):
    out = tmp_path / "tne.pdf"
    reader, printed = write_report(capsys, built_db_url, out, "--exact", scope="tne")
    assert printed.strip() == (f"Rapport de situation — Les 12 départements TNE, au 17 avril "
                               f"2023, écrit dans {out} (version exacte, données de "
                               "démonstration).")
    assert 2 <= len(reader.pages) <= 4


def test_the_report_has_two_to_four_a4_pages_a_title_a_language_and_bookmarks(val_d_oise):
    _, reader, _, _ = val_d_oise
    assert 2 <= len(reader.pages) <= 4
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == \
            (595, 842)
    assert reader.metadata.title == "Rapport de situation — Val-d'Oise (95)"
    assert reader.metadata.author == "Tableau de bord TNE — volet parentalité"
    assert "Val-d'Oise (95), au 17 avril 2023 (version publique)" in reader.metadata.subject
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr-FR"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    outline = {item["/Title"]: reader.get_destination_page_number(item)
               for item in reader.outline}
    assert outline["Chiffres clés au 17 avril 2023"] == 0
    assert outline["Frise des communes engagées"] == 1
    assert outline["Carte au 17 avril 2023"] == 2
    assert "Sources, millésimes et méthode" in outline


def test_the_report_reads_in_french_with_its_demo_notice_sources_and_tagging_limit(val_d_oise):
    _, reader, text, _ = val_d_oise
    assert text.startswith("Rapport de situation — Val-d'Oise (95)\nSituation au 17 avril "
                           "2023 · objectifs 2022-2023")
    text = flat(text)
    assert "Données de démonstration. Données d'activité de démonstration" in text
    assert "1 281 653 habitants" in text  # thousands separated, French way
    assert "Val-d'Oise (95) : 49 communes engagées sur 183" in text  # the funnel
    assert "Frise des communes engagées" in text
    assert "ANCT, 5 avril 2023 : 2 889 structures" in text  # the sources register
    assert "il n'est pas balisé (PDF/UA)" in text
    assert "Version publique" in text
    # « page n sur N »: N is drawn once the last page is known (a form every page shows).
    pages = len(reader.pages)
    last = reader.pages[-1].extract_text()
    assert f"page {pages} sur" in last and last.rstrip().endswith(f"\n{pages}")


def test_the_public_report_masks_small_counts_and_the_exact_one_does_not(
        val_d_oise, built_db_url, tmp_path, capsys):
    _, _, public, _ = val_d_oise
    # A late objective of a commune whose count of people is 1 to 4 (figure functions).
    with make_engine(built_db_url).connect() as conn:
        _, exact_rows = departement_rollout(conn, "95", school_year_of(AS_OF), AS_OF, True)
        _, public_rows = departement_rollout(conn, "95", school_year_of(AS_OF), AS_OF, False)
    # The late communes the report lists: the first ones by engagement date.
    listed = select_communes(public_rows, sort="debut")
    listed = listed[listed["status"] == Status.LATE.value].head(MAX_LATE_ROWS)
    late = listed[listed["late_objectives"].str.contains(MASK, regex=False)]
    assert not late.empty
    masked = late.iloc[0]
    exact_words = exact_rows.set_index("code_insee").at[masked["code_insee"],
                                                         "late_objectives"]
    assert exact_words != masked["late_objectives"]
    printed = masked["late_objectives"].replace("; ", " ; ").replace("\u202f", " ")
    assert f"{masked['label']}\n{printed}" in public
    reader, _ = write_report(capsys, built_db_url, tmp_path / "exact.pdf", "--exact")
    exact = text_of(reader)
    assert exact_words.replace("; ", " ; ") in exact
    assert MASK not in exact
    assert "Version exacte, réservée aux éditeurs du territoire" in flat(exact)
    assert reader.metadata.subject.endswith("(version exacte, diffusion restreinte).")


def test_pages_rendered_to_png_show_the_figures_and_the_coloured_map(val_d_oise):
    pdf, reader, _, _ = val_d_oise
    first = render(pdf, 0, "rapport-95-page1")
    map_page = next(i for i, page in enumerate(reader.pages)
                    if "Carte au 17 avril 2023" in page.extract_text())
    carte = render(pdf, map_page, "rapport-95-carte")
    timeline = render(pdf, 1, "rapport-95-frise")
    assert first.stat().st_size > 50_000 and timeline.stat().st_size > 50_000
    # The communes in autonomy, bleu France (#000091), fill a real part of the map page, and
    # the title's bleu France is on page 1.
    assert pixels_near(carte, (0x00, 0x00, 0x91)) > 5_000
    assert pixels_near(first, (0x00, 0x00, 0x91)) > 1_000


def test_a_hostile_commune_name_is_printed_as_it_is(built_db_url, tmp_path, capsys):
    copy = tmp_path / "hostile.sqlite"
    shutil.copy(built_db_url.removeprefix("sqlite:///"), copy)
    with sqlite3.connect(copy) as db:  # Le Thillay: the first point de vigilance
        assert db.execute("UPDATE commune SET name = ? WHERE code_insee = '95612'",
                          (HOSTILE,)).rowcount == 1
    reader, _ = write_report(capsys, f"sqlite:///{copy}", tmp_path / "hostile.pdf")
    text = text_of(reader)
    assert f"Prioritaire — {HOSTILE} est en retard sur son objectif" in flat(text)
    assert "Thillay&<" not in text  # the entity was not read as markup


# ── The 12 TNE départements and France ───────────────────────────────────────────────────


@pytest.mark.parametrize("scope, place", [("tne", "Les 12 départements TNE"),
                                          ("national", "France entière")])
def test_above_a_departement_the_report_maps_the_departements_without_a_timeline(
        built_db_url, scope, place, capsys):
    with make_engine(built_db_url).connect() as conn:
        report = situation_report(conn, Scope.parse(scope), AS_OF, exact=False,
                                  reference_dir=REFERENCE_DIR, generated_on=dt.date(2026, 12, 1))
    pdf = report_pdf(report)
    reader = PdfReader(io.BytesIO(pdf))
    text = text_of(reader)
    assert 2 <= len(reader.pages) <= 4
    assert flat(text).startswith(f"Rapport de situation — {place} Situation au 17 avril 2023")
    assert "Frise des communes engagées" not in text
    assert "Guadeloupe (971)" in text and "TNE, pilote (rentrée 2020)" in text
    assert "Val-d'Oise (95) : 49" in flat(text)  # engaged communes per département
    figures = cli_json(capsys, "indicators", "--database-url", built_db_url, "--scope", scope,
                       "--to", "2023-04-17", "--format", "json")["indicators"]
    rows = key_figure_rows(text)
    for code, label in labels_of(scope).items():
        assert french_number(rows[label][0]) == pytest.approx(
            round(figures[code], CATALOGUE[code].decimals)), label
    map_page = next(i for i, page in enumerate(reader.pages)
                    if "Carte au 17 avril 2023" in page.extract_text())
    carte = render(pdf, map_page, f"rapport-{scope}-carte")
    assert pixels_near(carte, (0x6A, 0x6A, 0xF4)) > 2_000  # the extension cohort's fill


# ── The command's refusals ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize("args, message", [
    (("--scope", "commune:95063"), "Le rapport de situation porte sur un département, les 12 "
                                   "départements TNE ou la France, pas sur une commune"),
    (("--scope", "region:11"), "Périmètre inconnu : « region:11 »"),
    (("--scope", "departement:99"), "Département inconnu : « 99 »"),
    (("--scope", "tne", "--to", "17/04/2023"), "Date invalide pour --to : « 17/04/2023 »"),
    (("--scope", "tne", "--annee", "2023-2025"), "Année scolaire invalide : « 2023-2025 »"),
    (("--scope", "tne", "--public", "--exact"), "Choisissez --public ou --exact, pas les deux."),
])
def test_the_command_refuses_in_one_french_line_with_exit_code_2(built_db_url, tmp_path,
                                                                  capsys, args, message):
    out = tmp_path / "rapport.pdf"
    code = main(["rapport", "--database-url", built_db_url, "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Erreur : ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_the_command_refuses_a_missing_folder_before_reading_the_database(tmp_path, capsys):
    target = tmp_path / "absent" / "rapport.pdf"
    code = main(["rapport", "--database-url", f"sqlite:///{tmp_path / 'none.sqlite'}",
                 "--scope", "tne", "--out", str(target)])
    assert code == 2
    assert "Dossier introuvable pour --out" in capsys.readouterr().err
    assert not target.parent.exists()


# ── Who gets the exact report, on the pages ──────────────────────────────────────────────


def test_only_an_editor_of_the_territory_gets_the_exact_report():
    editor_95 = Account("claire", Role.EDITEUR, frozenset({"95"}))
    admin = Account("root", Role.ADMIN)
    val_d_oise, tne = Scope.parse("departement:95"), Scope.parse("tne")
    assert report_is_exact(editor_95, val_d_oise)
    assert not report_is_exact(editor_95, Scope.parse("departement:86"))
    assert not report_is_exact(editor_95, tne)  # it quotes every département's communes
    assert report_is_exact(admin, tne) and report_is_exact(admin, val_d_oise)
    assert not report_is_exact(ANONYMOUS, val_d_oise)
    assert not report_is_exact(Account("lea", Role.LECTEUR), val_d_oise)
    assert report_file_name(val_d_oise, AS_OF, False) == \
        "rapport-situation-departement-95-2023-04-17.pdf"
    assert report_file_name(tne, AS_OF, True) == "rapport-situation-tne-2023-04-17-exact.pdf"


def _report_button(at):
    return [b for b in at.get("download_button") if b.label == "Télécharger le rapport (PDF)"]


def test_accueil_offers_the_public_report_to_a_visitor(app_env):
    at = open_page("accueil.py", scope="departement:95", to="2023-04-17")
    assert not at.exception
    assert len(_report_button(at)) == 1
    assert any(c.value.startswith("Version publique : les effectifs de personnes")
               for c in at.caption)


def test_deploiement_offers_the_exact_report_to_an_editor_of_the_departement(app_env):
    editor = Account("claire", Role.EDITEUR, frozenset({"95"}))
    at = open_page("deploiement.py", editor, scope="departement:95", to="2023-04-17")
    assert not at.exception
    assert len(_report_button(at)) == 1
    assert any(c.value.startswith("Version exacte") for c in at.caption)


def test_a_commune_is_pointed_to_its_fiche_instead_of_a_report(app_env):
    at = open_page("accueil.py", scope="commune:95063", to="2023-04-17")
    assert not at.exception
    assert not _report_button(at)
    assert any("une commune a sa fiche sur la page Comparer" in c.value for c in at.caption)


@pytest.mark.browser
def test_in_chromium_the_deploiement_button_downloads_the_report_built_when_clicked(
        built_db_url, tmp_path):
    from browser import chromium_page, screenshot, streamlit_server, wait_until_rendered

    with streamlit_server(built_db_url) as base, chromium_page() as (page, outside, errors):
        page.goto(f"{base}/deploiement?scope=departement:95&to=2023-04-17")
        wait_until_rendered(page)
        button = page.get_by_role("button", name="Télécharger le rapport (PDF)")
        button.scroll_into_view_if_needed()
        screenshot(page, "rapport-bouton-deploiement")
        with page.expect_download(timeout=60_000) as download:
            button.click()
        assert download.value.suggested_filename == \
            "rapport-situation-departement-95-2023-04-17.pdf"
        pdf = tmp_path / "rapport.pdf"
        download.value.save_as(pdf)
        assert outside == [] and errors == []
    reader = PdfReader(pdf)
    assert reader.metadata.title == "Rapport de situation — Val-d'Oise (95)"
    assert 2 <= len(reader.pages) <= 4
    assert "Version publique" in text_of(reader)
