"""Required test parts: in CI (CI=true) a missing one fails the run, never a silent skip."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(part: str, why: str) -> None:
    """Fail in CI, skip elsewhere (a developer may lack Chromium or PostgreSQL)."""
    message = f"{part} indisponible : {why}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
