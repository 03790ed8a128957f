"""Roles and accounts: who may write where, and passwords that are only ever hashes."""

from __future__ import annotations

import pytest

from tne_dash.access import (
    ANONYMOUS,
    Account,
    AccountsFileError,
    Role,
    account_for_identity,
    authenticate,
    hash_password,
    load_accounts,
    save_accounts,
)


def test_an_editor_writes_only_for_their_departements_and_an_admin_everywhere():
    editor = Account("claire", Role.EDITEUR, frozenset({"95"}))
    admin = Account("root", Role.ADMIN)
    assert editor.may_write("95") and not editor.may_write("86")
    assert not editor.may_write(None)  # national objectives are for admins
    assert admin.may_write("86") and admin.may_write(None)
    assert not ANONYMOUS.may_write("95") and not ANONYMOUS.signed_in
    assert not Account("lea", Role.LECTEUR).can_edit


def test_only_editors_and_admins_see_exact_small_counts():
    assert Account("claire", Role.EDITEUR, frozenset({"95"})).sees_exact_counts
    assert Account("root", Role.ADMIN).sees_exact_counts
    assert not Account("lea", Role.LECTEUR).sees_exact_counts
    assert not ANONYMOUS.sees_exact_counts


def test_accounts_round_trip_and_authenticate_by_hash(tmp_path):
    path = tmp_path / "accounts.toml"
    save_accounts(path, [Account("claire", Role.EDITEUR, frozenset({"95", "86"}),
                                 email="Claire@Exemple.fr".lower(),
                                 password_hash=hash_password("motdepasse"))])
    accounts = load_accounts(path)
    assert authenticate(accounts, "claire", "motdepasse").departements == {"95", "86"}
    assert authenticate(accounts, "claire", "mauvais") is None
    assert authenticate(accounts, "inconnu", "motdepasse") is None
    assert "motdepasse" not in path.read_text()


def test_an_identity_provider_user_gets_the_rights_of_their_e_mail():
    accounts = {"claire": Account("claire", Role.EDITEUR, frozenset({"95"}),
                                  email="claire@exemple.fr")}
    assert account_for_identity(accounts, "Claire@Exemple.fr", "Claire").may_write("95")
    stranger = account_for_identity(accounts, "x@exemple.fr", "X")
    assert stranger.signed_in and stranger.role == Role.LECTEUR


def test_a_malformed_accounts_file_is_a_clear_french_error(tmp_path):
    path = tmp_path / "accounts.toml"
    path.write_text('[accounts.claire]\nrole = "chef"\n')
    with pytest.raises(AccountsFileError, match="rôle « chef » inconnu"):
        load_accounts(path)
