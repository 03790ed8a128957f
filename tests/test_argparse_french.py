"""The command line speaks French to whoever mistypes it: its help says « usage : », and each
error of argparse itself — a choice that does not exist, a value missing, an unknown option,
no command at all — is one French line naming the faulty argument, exit code 2. Other
parsers of the process keep argparse's own words."""

from __future__ import annotations

import argparse
import inspect
import re

import pytest

from tne_dash import argparse_french, cli

# argparse's English words, whole (« invalide » is French).
ENGLISH = re.compile(r"\b(usage:|invalid|choose|expected|required|unrecognized|error|"
                     r"argument command|kind|file|batch)\b")


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        cli.main(list(args))
    out, err = capsys.readouterr()
    return stop.value.code, out, err


def test_the_help_of_the_command_and_of_a_subcommand_speaks_french(capsys):
    for args in ((), ("bench",)):
        code, out, _ = run(capsys, *args, "--help")
        assert code == 0
        assert out.startswith(f"usage : tne-dash{' bench' if args else ''} [-h]")
        assert "afficher cette aide et quitter" in out
        assert "show this help" not in out and "positional arguments" not in out
    code, out, _ = run(capsys, "--help")
    assert "commande" in out and "init-db" in out


@pytest.mark.parametrize(("args", "expected"), [
    (("bench", "--format", "xml"),
     "Erreur : tne-dash bench : argument --format : choix invalide : 'xml' "
     "(au choix : 'table', 'json')"),
    (("indicators", "--scope"),
     "Erreur : tne-dash indicators : argument --scope : une valeur attendue"),
    (("nosuch",), "Erreur : tne-dash : argument commande : choix invalide : 'nosuch'"),
    ((), "Erreur : tne-dash : arguments obligatoires manquants : commande"),
    (("bench", "--nope"), "Erreur : tne-dash : arguments non reconnus : --nope"),
    (("template",), "Erreur : tne-dash template : arguments obligatoires manquants : type"),
    (("undo-import", "dernier"), "Erreur : tne-dash undo-import : argument numéro : nombre "
                                 "invalide : « dernier »"),
    (("run", "--port", "quatre"), "Erreur : tne-dash run : argument --port : port invalide"),
])
def test_a_mistyped_command_gets_one_french_line_naming_its_argument(capsys, args, expected):
    code, out, err = run(capsys, *args)
    assert code == cli.EXIT_USAGE and out == ""
    assert err.startswith("usage : tne-dash")
    last = err.strip().splitlines()[-1]
    assert last.startswith(expected), last
    assert not ENGLISH.search(last), last


def test_another_parser_of_the_process_keeps_argparses_own_words(capsys):
    run(capsys, "bench", "--format", "xml")
    other = argparse.ArgumentParser(prog="autre")
    assert other.format_help().startswith("usage: autre [-h]")
    assert "show this help message and exit" in other.format_help()


def test_every_french_message_translates_one_argparse_writes():
    """A message argparse no longer writes (a new Python) would leave its French unused:
    each one here is still in argparse's source, word for word."""
    source = inspect.getsource(argparse)
    for english in argparse_french.FRENCH:
        assert repr(english)[1:-1] in source or english in source, english
    for singular, plural in argparse_french.FRENCH_PLURALS:
        assert singular in source and plural in source
