"""A folder of files written all at once (``tne-dash export-opendata --out``): the files go
to a temporary folder beside the target, which is then renamed onto it. A reader never sees
half an export, and a failure leaves the target as it was."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class FolderRefused(ValueError):
    """The target cannot be written (the message is one French line)."""


def check_target(out: Path, force: bool, option: str = "--out") -> None:
    """Refuse, before any work, a target that is a file, whose parent folder does not exist,
    or that holds files already (unless ``force``)."""
    if out.exists() and not out.is_dir():
        raise FolderRefused(f"{option} doit nommer un dossier, pas un fichier : « {out} ».")
    if not out.resolve().parent.is_dir():
        raise FolderRefused(f"Dossier introuvable pour {option} : « {out.parent} » — créez-le "
                            "d'abord ou choisissez un autre chemin.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise FolderRefused(f"Le dossier {option} « {out} » n'est pas vide : choisissez un "
                            "dossier vide ou nouveau, ou ajoutez --force pour le remplacer.")


def write_folder(out: Path, files: dict[str, bytes], force: bool = False) -> None:
    """Write ``files`` (name → bytes) as the whole content of the folder ``out``, atomically:
    a folder that exists is replaced only with ``force`` (or when empty)."""
    check_target(out, force)
    parent = out.resolve().parent
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    old: Path | None = None
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        staging.chmod(0o755)
        if out.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.ancien.", dir=parent))
            os.rename(out, old / out.name)  # the old export, kept until the new one is in
        os.rename(staging, out)
    except OSError as exc:
        if old is not None and not out.exists():
            os.rename(old / out.name, out)
        shutil.rmtree(staging, ignore_errors=True)
        raise FolderRefused(f"Impossible d'écrire le dossier « {out} » : "
                            f"{exc.strerror or exc}.") from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
