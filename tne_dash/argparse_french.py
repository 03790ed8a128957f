"""argparse's own words in French — « usage : », « options », the errors a mistyped command
gets — for the command line's parser (``cli.FrenchArgumentParser``).

argparse asks ``gettext`` for each of its messages, through the names ``_`` and ``ngettext``
of its module, when it writes them. ``speaking_french`` puts the French ones there while a
parser of ours is built, parses or writes its help, then puts back what it found (another
parser of the process keeps its own words). A message without a French one here stays as
argparse writes it: those left out are programming errors, never shown to a user.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

FRENCH = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur donnée à une option qui n'en prend pas : %r",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "une valeur au plus attendue",
    "expected at least one argument": "une valeur au moins attendue",
    "ambiguous option: %(option)s could match %(matches)s":
        "option ambiguë : %(option)s peut désigner %(matches)s",
    "unexpected option string: %s": "option inattendue : %s",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s attendu) : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : %(value)r (au choix : %(choices)s)",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "commande inconnue %(parser_name)r (au choix : %(choices)s)",
}
# ngettext's messages: (singular, plural) → (French singular, French plural).
FRENCH_PLURALS = {
    ("expected %s argument", "expected %s arguments"): ("%s valeur attendue",
                                                        "%s valeurs attendues"),
}


def french(message: str) -> str:
    """``message`` in French when argparse's catalogue here has it, else as it is."""
    return FRENCH.get(message, message)


def french_plural(singular: str, plural: str, count: int) -> str:
    one, many = FRENCH_PLURALS.get((singular, plural), (singular, plural))
    return one if count == 1 else many


@contextlib.contextmanager
def speaking_french() -> Iterator[None]:
    """argparse writes its messages in French inside this block."""
    found = argparse._, argparse.ngettext  # noqa: SLF001 — the names argparse reads
    argparse._, argparse.ngettext = french, french_plural
    try:
        yield
    finally:
        argparse._, argparse.ngettext = found
