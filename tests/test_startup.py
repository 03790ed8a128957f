"""What starting costs: ``tne-dash --help`` loads no heavy library, and a page Streamlit
starts on its own (cold server, deep link first) reruns once inside the app, never on a warm
view.

Speed itself is measured (``python -X importtime -m tne_dash.cli --help``), never asserted:
these tests check what gets imported and what runs, which does not depend on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tne_dash import PROJECT_ROOT

HEAVY = ("pandas", "numpy", "sqlalchemy", "alembic", "streamlit", "folium", "altair",
         "vl_convert", "argon2")

# Run in a fresh interpreter, the heavy names as arguments: print the help of the command
# and of each subcommand through ``main`` (as ``tne-dash … --help`` does), then say which
# heavy modules got loaded.
HELP_OF_EVERY_COMMAND = """
import contextlib, io, json, sys
from tne_dash import cli

subcommands = next(a.choices for a in cli.build_parser()._actions if isinstance(a.choices, dict))
commands = [[]] + [[name] for name in subcommands]
for command in commands:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            cli.main([*command, "--help"])
        except SystemExit as stop:
            assert stop.code == 0, (command, stop.code)
    assert "usage : tne-dash" in out.getvalue(), command
loaded = {name.split(".")[0] for name in sys.modules}
print(json.dumps({"commands": len(commands), "loaded": sorted(loaded & set(sys.argv[1:]))}))
"""

A_USAGE_ERROR = """
import sys
from tne_dash import cli

try:
    cli.main(["init-db", "--scale", "monde"])
except SystemExit as stop:
    print(stop.code, sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:])))
"""


# A view of each page that offers files (PDF, PNG, XLSX), in AppTest: which of the libraries
# that make them were loaded after each page.
PAGES_WITH_FILES = """
import json, sys
from tne_dash.ui import page_bench

loaded = {}
for page, params in (("accueil.py", {"scope": "departement:95"}), ("carte.py", {"dep": "95"}),
                     ("deploiement.py", {"scope": "departement:95"}),
                     ("comparer.py", {"communes": "95063,95018"})):
    at = page_bench._app_test(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run(timeout=120)
    assert not at.exception, (page, at.exception)
    loaded[page] = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print(json.dumps(loaded))
"""


def run_child(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *HEAVY], capture_output=True,
                          text=True, cwd=PROJECT_ROOT, timeout=60, check=False)


def test_help_of_every_command_imports_no_heavy_library():
    done = run_child(HELP_OF_EVERY_COMMAND)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["commands"] > 10  # tne-dash itself and every subcommand
    assert found["loaded"] == []


def test_a_page_loads_what_makes_its_files_only_when_a_file_is_asked(app_env):
    """The situation report, the fiche, the map's image and the workbooks are made on click:
    Accueil and the Carte are shown without reportlab, Altair or openpyxl, Déploiement and
    Comparer (which draw charts) without reportlab or openpyxl — in one process, pages in
    that order. The first view of each page in each process paid for them (reportlab
    0.3–0.6 s, Altair 0.3–0.6 s)."""
    done = subprocess.run([sys.executable, "-c", PAGES_WITH_FILES, "reportlab", "altair",
                           "openpyxl"], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "accueil.py": [], "carte.py": [], "deploiement.py": ["altair"],
        "comparer.py": ["altair"]}


def test_a_usage_error_stays_light_and_french():
    done = run_child(A_USAGE_ERROR)
    assert done.stdout.strip() == "2 []", done.stderr
    assert "Erreur : tne-dash init-db : argument --scale" in done.stderr


def test_the_console_script_prints_its_help():
    done = subprocess.run([sys.executable, "-m", "tne_dash.cli", "--help"],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "Tableau de bord du volet parentalité" in done.stdout
    assert "init-db" in done.stdout and "indicators" in done.stdout


def test_the_scales_of_init_db_are_the_builds():
    from tne_dash import cli
    from tne_dash.store import build

    assert cli.SCALES == build.SCALES
    assert cli.TNE_SCALE == build.TNE_SCALE


# --- A page Streamlit starts on its own (cold server, deep link first) ----------------------

def shell_calls(monkeypatch) -> list[bool]:
    """Record, at each page's ``shell.ensure_app_shell()``, whether app.py was running it."""
    from tne_dash.ui import shell

    calls: list[bool] = []
    real = shell.ensure_app_shell

    def recorded() -> None:
        calls.append(shell._INSIDE_APP.get())
        real()

    monkeypatch.setattr(shell, "ensure_app_shell", recorded)
    return calls


def test_a_page_streamlit_starts_on_its_own_reruns_once_inside_the_app(app_env, monkeypatch):
    """What a cold server does with a deep link: Streamlit's legacy ``pages/`` discovery runs
    the page file without app.py. The page reruns once, inside the app's shell."""
    from apptest import open_page
    from streamlit.runtime.pages_manager import PagesManager

    warm_init = PagesManager.__init__  # tests/conftest.py: the flag as a warm server has it

    def cold_init(self, *args, **kwargs):
        warm_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = True

    monkeypatch.setattr(PagesManager, "__init__", cold_init)
    calls = shell_calls(monkeypatch)
    at = open_page("donnees.py")
    assert not at.exception
    assert calls == [False, True]  # on its own, then inside app.py
    assert at.title[0].value == "Données et méthodes"
    assert [e.label for e in at.sidebar.expander] == ["Espace éditeurs"]  # the shell ran


def test_a_warm_page_view_never_reruns(app_env, monkeypatch):
    from apptest import open_page

    calls = shell_calls(monkeypatch)
    at = open_page("donnees.py")
    at.run()
    assert not at.exception
    assert calls == [True, True]  # two runs, each straight through app.py
