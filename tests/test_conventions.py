"""House rules, tested: pages stay thin and inside the shell, each reads its own screen
folder, the floor plan in the README is the one on disk, and every module has a wing.

Which wing may import which, and that only ``ui/`` and ``screens/*/ui.py`` import streamlit,
are contracts checked by ``lint-imports`` (``[tool.importlinter]`` in pyproject.toml)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "tne_dash"
PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))
MAX_PAGE_LINES = 80
SCREENS = sorted(p.name for p in (CORE / "screens").iterdir() if (p / "__init__.py").exists())
# The three wings, plus the two doors figures leave by without a page: the read API (above
# the screens, whose URL parsers it reuses) and the embeddable card (below ui/, which offers it).
WINGS = ("store", "figures", "screens", "ui", "embed", "api")
ENTRY_POINTS = ("cli", "bench", "element_costs", "browser_bench")
# What a page script may import besides its own screen folder and the shared ui/.
PAGE_LIBRARIES = {"streamlit", "streamlit_folium", "dataclasses"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_pages_are_thin_and_touch_no_database(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_PAGE_LINES
    modules = imported_modules(path)
    assert "sqlalchemy" not in {m.split(".")[0] for m in modules}
    assert "create_engine" not in text and "session.commit" not in text


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_every_page_first_makes_sure_it_runs_inside_the_app_shell(path):
    assert "shell.ensure_app_shell()" in path.read_text(encoding="utf-8")


def test_every_page_file_is_in_the_navigation():
    from tne_dash.ui.navigation import PAGES

    assert {p.name for p in PAGE_FILES} == {spec.file for spec in PAGES}


def _cache_decorators(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr.startswith("cache_"):
                    yield node, deco


@pytest.mark.parametrize("path", sorted((CORE / "ui").glob("*.py"))
                         + sorted((CORE / "screens").glob("*/ui.py")),
                         ids=lambda p: str(p.relative_to(CORE)))
def test_every_cache_with_arguments_is_bounded_so_memory_stays_flat(path):
    for function, deco in _cache_decorators(path):
        if not function.args.args:  # one entry per process, nothing to bound
            continue
        keywords = {k.arg for k in deco.keywords} if isinstance(deco, ast.Call) else set()
        assert "max_entries" in keywords, f"{path.name}:{function.name} sans max_entries"


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_each_page_imports_only_its_own_screen_folder_and_the_shared_ui(path):
    own = f"tne_dash.screens.{path.stem}"
    for module in imported_modules(path):
        allowed = (module.split(".")[0] in PAGE_LIBRARIES or module == "tne_dash.ui"
                   or module.startswith(("tne_dash.ui.", own)))
        assert allowed, f"{path.name} importe {module}"


def test_every_page_has_its_screen_folder_and_every_screen_folder_its_page():
    assert SCREENS == sorted(p.stem for p in PAGE_FILES)


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["type"] + ":" + c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_independence_contract_names_every_screen_folder():
    (independence,) = [c for c in _contracts().values() if c["type"] == "independence"]
    assert independence["modules"] == [f"tne_dash.screens.{name}" for name in SCREENS]


def test_every_module_of_the_package_is_in_a_wing_an_entry_point_or_declared_shared():
    contracts = list(_contracts().values())
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    assert layers["layers"] == [f"tne_dash.{n}" for n in (*ENTRY_POINTS, "api", "screens", "ui",
                                                          "embed", "figures", "store")]
    (shared,) = [c for c in contracts if c["name"] == "Shared modules sit below the wings"]
    declared = {m.removeprefix("tne_dash.") for m in shared["source_modules"]}
    on_disk = {p.stem for p in CORE.glob("*.py") if p.stem != "__init__"}
    assert on_disk == declared | set(ENTRY_POINTS)
    assert {p.name for p in CORE.iterdir() if (p / "__init__.py").exists()} == set(WINGS)


@pytest.mark.parametrize("package", [CORE, *(p for p in CORE.rglob("*")
                                             if (p / "__init__.py").exists()
                                             and "versions" not in p.parts)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_package_says_what_lives_there_in_its_docstring(package):
    init = package / "__init__.py"
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))


def test_no_module_is_named_for_nothing_in_particular():
    vague = {"utils", "util", "helpers", "helper", "misc", "common"}
    assert not [p for p in CORE.rglob("*.py") if p.stem in vague]


def _readme_layout() -> set[str]:
    """Paths under tne_dash/ drawn in the README's « Project layout » block."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Project layout", 1)[1].split("```", 2)[1]
    paths, stack = set(), []
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)", line)
        if not match or not line.strip():
            continue
        depth, name = len(match.group(1)) // 2, match.group(2)
        if not (name.endswith((".py", "/"))):
            continue  # a description carried on to the next line
        stack = stack[:depth] + [name.rstrip("/")]
        if stack[0] == "tne_dash":
            paths.add("/".join(stack))
    return paths


def test_the_readme_layout_draws_exactly_the_package_on_disk():
    on_disk = {str(p.relative_to(ROOT)).removesuffix("/__init__.py")
               for p in CORE.rglob("*.py")
               if "versions" not in p.parts and p.name != "__init__.py"}
    on_disk |= {str(p.relative_to(ROOT)) for p in CORE.rglob("*")
                if p.is_dir() and (p / "__init__.py").exists() and "versions" not in p.parts}
    on_disk.add("tne_dash")
    assert _readme_layout() == on_disk


def _download_data(call: ast.Call) -> ast.expr | None:
    """The ``data`` argument of a ``download_button`` call (second positional or keyword)."""
    if len(call.args) >= 2:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg == "data"), None)


def test_no_download_file_is_made_on_a_page_run_only_when_its_button_is_clicked():
    """Every ``download_button`` gets a function (Streamlit calls it on the click): a file
    made on every run cost Déploiement 10 s for France's 7 344 points in XLSX."""
    made_on_run, buttons = [], 0
    for path in sorted((ROOT / "tne_dash").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "download_button"):
                buttons += 1
                data = _download_data(node)
                if not isinstance(data, ast.Lambda | ast.Name):
                    made_on_run.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            # download_pair(title, png, csv, …): the image's and the data's makers.
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "download_pair"
                    and not all(isinstance(a, ast.Lambda) for a in node.args[1:3])):
                made_on_run.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert buttons >= 14 and made_on_run == []
