"""Issue 18, accounts: a server-wide sign-in throttle, strong passwords, readable names and
real départements, the same answer time for every account, an accounts file written safely."""

from __future__ import annotations

import io
import os
import stat
import statistics
import threading
import time

import pytest
from apptest import open_page

from tne_dash.access import (
    SIGN_IN_THROTTLE,
    Account,
    AccountsFileError,
    Role,
    SignInLocked,
    SignInThrottle,
    authenticate,
    check_password_strength,
    hash_password,
    load_accounts,
    save_accounts,
    sign_in,
)
from tne_dash.cli import main

GOOD_PASSWORD = "Bezons-95063-atelier"


class Clock:
    """A hand-turned clock for the throttle (seconds)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def accounts(tmp_path) -> dict[str, Account]:
    path = tmp_path / "accounts.toml"
    save_accounts(path, [
        Account("claire", Role.EDITEUR, frozenset({"95"}), password_hash=hash_password(
            GOOD_PASSWORD)),
        Account("paul", Role.EDITEUR, frozenset({"86"}), password_hash=hash_password(
            "Poitiers-86194-atelier")),
        Account("oidc", Role.EDITEUR, frozenset({"86"}), email="oidc@exemple.fr"),
    ])
    return load_accounts(path)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- 7. Sign-in throttling, server-wide ---------------------------------------------------


@pytest.fixture
def throttled_app(monkeypatch, app_env, tmp_path) -> str:
    """The app on the built database, with one local account nobody else's test uses."""
    path = tmp_path / "accounts.toml"
    save_accounts(path, [Account("lucie-reload", Role.EDITEUR, frozenset({"95"}),
                                 password_hash=hash_password(GOOD_PASSWORD))])
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(path))
    return "lucie-reload"


def post_sign_in(name: str, password: str, client: str) -> str:
    """One sign-in posted to the server's route from a fresh browser (no cookie, no
    session: a reload or another tab); returns where it sends the browser back."""
    from sign_in_client import SAME_SITE, browser

    answer = browser(client).post("/auth/connexion", headers=SAME_SITE,
                                  data={"identifiant": name, "mot_de_passe": password,
                                        "retour": "/importer", "formulaire": "page"})
    assert answer.status_code == 303
    return answer.headers["location"]


def test_reloading_the_page_does_not_reset_the_count_of_wrong_passwords(throttled_app,
                                                                        monkeypatch, tmp_path):
    name = throttled_app
    monkeypatch.setenv("TNE_DASH_SESSION_SECRET_FILE", str(tmp_path / "secret"))
    SIGN_IN_THROTTLE.clear()
    for client in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "127.0.0.1"):
        assert post_sign_in(name, "mauvais-mot-de-passe", client) == \
            "/importer?connexion=echec&formulaire=page"
    locked = post_sign_in(name, GOOD_PASSWORD, "198.51.100.9")  # a new tab, another address
    assert locked == "/importer?connexion=verrou&formulaire=page&attente=30"
    page = open_page("importer.py", connexion="verrou", formulaire="page", attente="30")
    assert not page.exception
    assert page.error[0].value.startswith("Trop d'essais de connexion : réessayez dans 30 "
                                          "secondes")
    assert "tne_account" not in page.session_state
    SIGN_IN_THROTTLE.clear()


def test_five_failures_lock_the_account_name_for_every_client_and_the_lock_doubles(accounts):
    clock = Clock()
    throttle = SignInThrottle(clock=clock)
    clients = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", None]
    for client in clients:
        assert sign_in(accounts, "claire", "a", client, throttle) is None
    with pytest.raises(SignInLocked) as locked:
        sign_in(accounts, "claire", GOOD_PASSWORD, "198.51.100.9", throttle)
    assert locked.value.retry_after == 30
    clock.now += 31
    assert sign_in(accounts, "claire", "encore faux", None, throttle) is None
    assert throttle.retry_after("claire", None) == 60  # the sixth failure doubles the lock
    clock.now += 61
    assert sign_in(accounts, "claire", GOOD_PASSWORD, None, throttle).name == "claire"
    assert throttle.retry_after("claire", None) == 0  # a success clears the account's count


def test_a_client_guessing_many_account_names_is_locked_for_every_name(accounts):
    throttle = SignInThrottle(clock=Clock())
    for name in ("claire", "paul", "root", "admin", "marie"):
        assert sign_in(accounts, name, "motdepasse", "203.0.113.7", throttle) is None
    with pytest.raises(SignInLocked):
        sign_in(accounts, "paul", "Poitiers-86194-atelier", "203.0.113.7", throttle)
    other_client = sign_in(accounts, "paul", "Poitiers-86194-atelier", "203.0.113.8", throttle)
    assert other_client.name == "paul"


def test_the_lock_message_is_french_and_says_when_to_retry(accounts):
    throttle = SignInThrottle(clock=Clock(), max_failures=1, base_lockout=90)
    sign_in(accounts, "claire", "faux", None, throttle)
    with pytest.raises(SignInLocked, match=r"^Trop d'essais de connexion : réessayez dans 90 "
                                            r"secondes \(à partir de \d\d:\d\d:\d\d\)\.$"):
        sign_in(accounts, "claire", GOOD_PASSWORD, None, throttle)


def test_failures_recorded_from_many_threads_at_once_are_all_counted():
    throttle = SignInThrottle(clock=Clock(), max_failures=200, base_lockout=30)

    def guess():
        for _ in range(25):
            throttle.record_failure("claire", "203.0.113.1")

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert throttle.retry_after("claire", None) == 30  # exactly 200 failures: locked


# -- 7. Password strength -----------------------------------------------------------------


@pytest.mark.parametrize(("password", "reason"), [
    ("a", "trop court : au moins 12 caractères (reçu 1)"),
    ("Court-1", "trop court"),
    ("aaaaaaaaaaaaaaaa", "trop simple"),
    ("motdepasselong", "trop simple"),
    ("123456789012", "trop simple"),
    ("Claire.Martin", "nom du compte"),
])
def test_a_weak_password_gets_a_french_reason(password, reason):
    assert reason in check_password_strength(password, "claire.martin")


def test_a_long_mixed_password_is_strong_enough():
    assert check_password_strength(GOOD_PASSWORD, "claire") is None
    assert check_password_strength("correct horse battery staple 7", "claire") is None


def test_accounts_add_refuses_the_password_a_and_writes_nothing(capsys, tmp_path, monkeypatch):
    path = tmp_path / "accounts.toml"
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO("a\n"))
    code, _, err = run(capsys, "accounts", "add", "claire", "--role", "admin",
                       "--password-stdin")
    assert code == 2
    assert err.strip() == ("Erreur : Mot de passe refusé : mot de passe trop court : au moins "
                           "12 caractères (reçu 1).")
    assert not path.exists()


def test_accounts_add_refuses_the_account_name_as_password(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    monkeypatch.setattr("sys.stdin", io.StringIO("claire.martin95\n"))
    code, _, err = run(capsys, "accounts", "add", "claire.martin95", "--role", "admin",
                       "--password-stdin")
    assert code == 2 and "ne doit pas être le nom du compte" in err


# -- 15. Names, départements, timing, the file itself ---------------------------------------


@pytest.mark.parametrize("name", ["evil\x01name", "evil\x7fname", "a\nb", "x]y", 'guil"lemet',
                                  " claire", "c" * 65])
def test_accounts_add_refuses_an_unprintable_name_and_everyone_still_signs_in(
        capsys, tmp_path, monkeypatch, name):
    path = tmp_path / "accounts.toml"
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(path))
    save_accounts(path, [Account("claire", Role.EDITEUR, frozenset({"95"}),
                                 password_hash=hash_password(GOOD_PASSWORD))])
    before = path.read_bytes()
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    code, _, err = run(capsys, "accounts", "add", name, "--role", "admin", "--password-stdin")
    assert code == 2
    assert err.startswith("Erreur : Nom de compte refusé : ")
    assert len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before
    assert authenticate(load_accounts(path), "claire", GOOD_PASSWORD).name == "claire"


def test_names_with_accents_digits_dots_at_signs_and_spaces_are_accepted(capsys, tmp_path,
                                                                         monkeypatch):
    path = tmp_path / "accounts.toml"
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(path))
    names = ["Élodie Lefèvre", "jean-marc.o_brien@exemple.fr", "coord95", "é" * 64]
    for name in names:
        monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
        code, _, err = run(capsys, "accounts", "add", name, "--role", "admin",
                           "--password-stdin")
        assert (code, err) == (0, "")
    accounts = load_accounts(path)
    assert sorted(accounts) == sorted(names)
    assert authenticate(accounts, "Élodie Lefèvre", GOOD_PASSWORD).is_admin


def test_saving_an_account_with_a_control_character_is_refused(tmp_path):
    path = tmp_path / "accounts.toml"
    with pytest.raises(AccountsFileError, match="U\\+007F"):
        save_accounts(path, [Account("evil\x7f", Role.ADMIN,
                                     password_hash=hash_password(GOOD_PASSWORD))])
    assert not path.exists()


@pytest.mark.parametrize("codes", ["ZZ", "../..", "95,ZZ", "9", "975a", "2C"])
def test_accounts_add_accepts_only_real_departement_codes(capsys, tmp_path, monkeypatch, codes):
    path = tmp_path / "accounts.toml"
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    code, _, err = run(capsys, "accounts", "add", "claire", "--departements", codes,
                       "--password-stdin")
    assert code == 2
    assert "--departements : code de département invalide" in err
    assert not path.exists()


def test_corsica_and_overseas_departements_are_accepted(capsys, tmp_path, monkeypatch):
    path = tmp_path / "accounts.toml"
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    code, _, _ = run(capsys, "accounts", "add", "claire", "--departements", "2a,971,95",
                     "--password-stdin")
    assert code == 0
    assert load_accounts(path)["claire"].departements == {"2A", "971", "95"}


def median_seconds(action, times: int = 5) -> float:
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def test_an_account_without_a_password_answers_as_slowly_as_one_with_a_password(accounts):
    with_password = median_seconds(lambda: authenticate(accounts, "claire", "Mauvais-123456"))
    without_password = median_seconds(lambda: authenticate(accounts, "oidc", "Mauvais-123456"))
    unknown = median_seconds(lambda: authenticate(accounts, "personne", "Mauvais-123456"))
    assert authenticate(accounts, "oidc", "") is None
    # Before: the password-less account answered in microseconds, a real one in ~0.1 s.
    assert without_password > 0.5 * with_password
    assert unknown > 0.5 * with_password


def test_saving_accounts_replaces_the_file_in_one_step_never_readable_by_others(tmp_path):
    path = tmp_path / "accounts.toml"
    save_accounts(path, [Account("claire", Role.EDITEUR, frozenset({"95"}))])
    old_text = path.read_text()
    reader_view = tmp_path / "reader-view.toml"  # what a reader holding the old file sees
    os.link(path, reader_view)
    save_accounts(path, [Account("claire", Role.EDITEUR, frozenset({"95"})),
                         Account("paul", Role.ADMIN)])
    assert reader_view.read_text() == old_text  # the old file was never rewritten in place
    assert "paul" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.toml", "reader-view.toml"]


def test_a_save_that_fails_half_way_leaves_the_previous_accounts_file_whole(tmp_path):
    path = tmp_path / "accounts.toml"
    save_accounts(path, [Account("claire", Role.EDITEUR, frozenset({"95"}),
                                 password_hash=hash_password(GOOD_PASSWORD))])
    before = path.read_bytes()
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate cannot be written in UTF-8
        save_accounts(path, [Account("claire", Role.EDITEUR, frozenset({"95"}),
                                     email="claire\udcff@exemple.fr")])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["accounts.toml"]
    assert authenticate(load_accounts(path), "claire", GOOD_PASSWORD).name == "claire"


def test_a_name_typed_with_a_decomposed_accent_finds_the_same_account(capsys, tmp_path,
                                                                      monkeypatch):
    path = tmp_path / "accounts.toml"
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    assert run(capsys, "accounts", "add", "E\u0301lodie", "--role", "admin",
               "--password-stdin")[0] == 0
    accounts = load_accounts(path)
    assert list(accounts) == ["\u00c9lodie"]
    assert authenticate(accounts, "E\u0301lodie ", GOOD_PASSWORD).is_admin
