"""House rules, tested: the core never imports streamlit, pages stay thin and inside the shell."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "tne_dash"
PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))
MAX_PAGE_LINES = 80


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", [p for p in CORE.rglob("*.py") if "ui" not in p.parts],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_core_modules_never_import_streamlit(path):
    assert not {m for m in imported_modules(path) if m.split(".")[0] == "streamlit"}


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


@pytest.mark.parametrize("path", sorted((CORE / "ui").glob("*.py")), ids=lambda p: p.name)
def test_every_cache_with_arguments_is_bounded_so_memory_stays_flat(path):
    for function, deco in _cache_decorators(path):
        if not function.args.args:  # one entry per process, nothing to bound
            continue
        keywords = {k.arg for k in deco.keywords} if isinstance(deco, ast.Call) else set()
        assert "max_entries" in keywords, f"{path.name}:{function.name} sans max_entries"
