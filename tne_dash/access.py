"""Who may do what: roles, accounts and the local accounts file (Argon2 password hashes).

Roles: *lecteur* (anonymous or signed in without rights: public views, small counts masked),
*éditeur* (records, imports and edits objectives for the départements given to them) and
*admin* (everything, everywhere, and undoing imports). The identity itself comes either from
the identity provider (``st.login``, matched here by e-mail) or from this file's passwords.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tne_dash.vocabulary import LabelledEnum, register_labels

_hasher = PasswordHasher()


class Role(LabelledEnum):
    LECTEUR = "lecteur"
    EDITEUR = "editeur"
    ADMIN = "admin"


register_labels(Role, {Role.LECTEUR: "Lecteur", Role.EDITEUR: "Éditeur",
                       Role.ADMIN: "Administrateur"})




class AccountsFileError(ValueError):
    """The accounts file is unreadable or malformed; the message is French."""


@dataclass(frozen=True)
class Account:
    """A signed-in (or anonymous) user and their rights."""

    name: str
    role: Role = Role.LECTEUR
    # Départements an editor may write for; ignored for admins.
    departements: frozenset[str] = field(default_factory=frozenset)
    email: str = ""
    password_hash: str = field(default="", repr=False)

    @property
    def signed_in(self) -> bool:
        return self.name != ANONYMOUS.name

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.EDITEUR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_exact_counts(self) -> bool:
        """Editors and admins see small counts; readers get the masked public view."""
        return self.can_edit

    def may_write(self, departement_code: str | None) -> bool:
        """True when this account may write rows of ``departement_code`` (None = national)."""
        if self.is_admin:
            return True
        return (self.role == Role.EDITEUR and departement_code is not None
                and departement_code in self.departements)

    def describe_rights(self) -> str:
        """« éditeur (95, 86) », « administrateur », « lecteur »."""
        if self.is_admin:
            return "administrateur"
        if self.role == Role.EDITEUR:
            return f"éditeur ({', '.join(sorted(self.departements)) or 'aucun département'})"
        return "lecteur"


ANONYMOUS = Account(name="")
# The operator at the command line has the database itself: the CLI acts as an admin.
OPERATOR_ROLE = Role.ADMIN


def hash_password(password: str) -> str:
    """An Argon2id hash (salted, tunable): the only form a password is ever stored in."""
    return _hasher.hash(password)


def verify_password(account: Account, password: str) -> bool:
    if not account.password_hash:
        return False
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def load_accounts(path: Path) -> dict[str, Account]:
    """Accounts by name ({} when the file does not exist)."""
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AccountsFileError(f"Fichier de comptes illisible : {path} ({exc}).") from exc
    accounts = {}
    for name, entry in raw.get("accounts", {}).items():
        try:
            role = Role(entry.get("role", Role.LECTEUR))
        except ValueError:
            raise AccountsFileError(
                f"Compte « {name} » : rôle « {entry.get('role')} » inconnu — attendu "
                f"lecteur, editeur ou admin.") from None
        accounts[name] = Account(
            name=name, role=role,
            departements=frozenset(str(d) for d in entry.get("departements", [])),
            email=str(entry.get("email", "")).lower(),
            password_hash=str(entry.get("password_hash", "")),
        )
    return accounts


def save_accounts(path: Path, accounts: Iterable[Account]) -> None:
    """Write the accounts file (TOML), hashes only."""
    lines = ["# Comptes locaux de tne-dash — géré par « tne-dash accounts ».",
             "# Les mots de passe ne sont jamais stockés : seulement leur empreinte Argon2id.",
             ""]
    for account in sorted(accounts, key=lambda a: a.name):
        lines += [f"[accounts.{json.dumps(account.name, ensure_ascii=False)}]",
                  f"role = {json.dumps(account.role.value)}",
                  f"departements = {json.dumps(sorted(account.departements))}"]
        if account.email:
            lines.append(f"email = {json.dumps(account.email, ensure_ascii=False)}")
        if account.password_hash:
            lines.append(f"password_hash = {json.dumps(account.password_hash)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    path.chmod(0o600)


def authenticate(accounts: dict[str, Account], name: str, password: str) -> Account | None:
    """The account when the password matches, None otherwise (same answer for unknown names)."""
    account = accounts.get(name.strip())
    if account is None:
        _hasher.hash(password)  # spend the same time: no account enumeration by timing
        return None
    return account if verify_password(account, password) else None


def account_for_identity(accounts: dict[str, Account], email: str, display_name: str) -> Account:
    """The rights of a user signed in with the identity provider (matched by e-mail)."""
    email = email.strip().lower()
    for account in accounts.values():
        if email and account.email == email:
            return Account(name=account.name, role=account.role,
                           departements=account.departements, email=email)
    return Account(name=display_name or email, role=Role.LECTEUR, email=email)
