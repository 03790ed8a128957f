"""tne_dash: the dashboard of the parentality strand of the Territoires Numériques Éducatifs."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"

__version__ = "0.1.0"
