"""Who may do what: roles, accounts and the local accounts file (Argon2 password hashes).

Roles: *lecteur* (anonymous or signed in without rights: public views, small counts masked),
*éditeur* (records, imports and edits objectives for the départements given to them) and
*admin* (everything, everywhere, and undoing imports). The identity itself comes either from
the identity provider (``st.login``, matched here by e-mail) or from this file's passwords.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import math
import os
import re
import tempfile
import threading
import time
import tomllib
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tne_dash.config import DEFAULT_TRUSTED_PROXIES
from tne_dash.vocabulary import LabelledEnum, register_labels

_hasher = PasswordHasher()


class Role(LabelledEnum):
    LECTEUR = "lecteur"
    EDITEUR = "editeur"
    ADMIN = "admin"


register_labels(Role, {Role.LECTEUR: "Lecteur", Role.EDITEUR: "Éditeur",
                       Role.ADMIN: "Administrateur"})

MAX_NAME_LENGTH = 64
MIN_PASSWORD_LENGTH = 12
# Real département codes: 2 digits, Corsica's 2A/2B, overseas 97x (as in figures/scope.py,
# which this module may not import).
DEP_CODE = re.compile(r"^(\d{2}|2[AB]|97\d)$")
_NAME_PUNCTUATION = frozenset("._-@ ")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_name(name: str) -> str:
    """The account name as stored and looked up: accents composed (NFC), so that « é »
    typed as one character or as e + accent is the same name."""
    return unicodedata.normalize("NFC", name)


def check_account_name(name: str) -> str | None:
    """Why ``name`` cannot be an account name (French), or None when it can.

    Letters (accents included), digits, ``. _ - @`` and inner spaces; at most 64 characters.
    Anything else (control characters, quotes, brackets…) is refused: the accounts file must
    stay readable, or nobody can sign in.
    """
    if not name or not name.strip():
        return "le nom du compte est vide."
    if name != name.strip():
        return "le nom du compte commence ou finit par une espace."
    if len(name) > MAX_NAME_LENGTH:
        return f"le nom du compte dépasse {MAX_NAME_LENGTH} caractères."
    bad = sorted({c for c in name if not (c.isalnum() or c in _NAME_PUNCTUATION)})
    if bad:
        shown = ", ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in bad)
        return (f"caractère(s) refusé(s) dans le nom du compte : {shown} — lettres, chiffres, "
                "« . _ - @ » et espaces seulement.")
    return None


def check_departement_code(code: str) -> str | None:
    """Why ``code`` is not a département code (French), or None when it is one."""
    if DEP_CODE.match(code):
        return None
    return (f"code de département invalide : « {code.encode('unicode_escape').decode()} » — "
            "attendu 2 chiffres, 2A, 2B ou 97x (ex. 95, 2A, 971).")


def check_email(email: str) -> str | None:
    """Why ``email`` is not an e-mail address we store (French), or None."""
    if len(email) <= 254 and email.isprintable() and _EMAIL.match(email):
        return None
    return (f"adresse e-mail invalide : « {email.encode('unicode_escape').decode()} » — "
            "attendu nom@domaine.fr.")


def check_password_strength(password: str, account_name: str = "") -> str | None:
    """Why ``password`` is too weak (one French sentence), or None when it is acceptable.

    At least 12 characters, at least two kinds of characters (lower case, upper case, digits,
    others), and not the account name. Used by ``tne-dash accounts add``; a setup page
    reuses it.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return (f"mot de passe trop court : au moins {MIN_PASSWORD_LENGTH} caractères "
                f"(reçu {len(password)}).")
    kinds = {"minuscule" if c.islower() else "majuscule" if c.isupper()
             else "chiffre" if c.isdigit() else "autre" for c in password}
    if len(kinds) < 2:
        return ("mot de passe trop simple : mélangez au moins deux sortes de caractères "
                "(minuscules, majuscules, chiffres, autres signes).")
    if account_name and password.strip().casefold() == account_name.strip().casefold():
        return "le mot de passe ne doit pas être le nom du compte."
    return None


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


@functools.cache
def _dummy_hash() -> str:
    """A hash of nothing anyone types, with the current parameters: checking a password
    against it costs what checking a real one does."""
    return _hasher.hash(os.urandom(32).hex())


def verify_password(account: Account | None, password: str) -> bool:
    """True when ``password`` matches the account's hash. An unknown account, or one
    without a local password, is checked against a dummy hash first, so that every answer
    takes the same time (no account enumeration by timing)."""
    stored = account.password_hash if account is not None else ""
    try:
        matched = _hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and bool(stored)


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


def _toml_string(text: str) -> str:
    """A TOML basic string: every control character (DEL included) escaped."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def save_accounts(path: Path, accounts: Iterable[Account]) -> None:
    """Write the accounts file (TOML, hashes only) atomically: a temporary file created
    0600 in the same folder, flushed to disk, then renamed over the old one — a reader sees
    the old file or the new one, never half a file, and never a readable one."""
    lines = ["# Comptes locaux de tne-dash — géré par « tne-dash accounts ».",
             "# Les mots de passe ne sont jamais stockés : seulement leur empreinte Argon2id.",
             ""]
    for account in sorted(accounts, key=lambda a: a.name):
        problem = check_account_name(account.name)
        if problem:
            raise AccountsFileError(f"Compte refusé : {problem}")
        lines += [f"[accounts.{_toml_string(account.name)}]",
                  f"role = {_toml_string(account.role.value)}",
                  "departements = [" + ", ".join(_toml_string(d) for d in
                                                 sorted(account.departements)) + "]"]
        if account.email:
            lines.append(f"email = {_toml_string(account.email)}")
        if account.password_hash:
            lines.append(f"password_hash = {_toml_string(account.password_hash)}")
        lines.append("")
    data = "\n".join(lines).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                     suffix=".tmp")  # mode 0600 from the start
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system opens folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def authenticate(accounts: dict[str, Account], name: str, password: str) -> Account | None:
    """The account when the password matches, None otherwise. Unknown names and accounts
    without a local password take the same time as a wrong password."""
    account = accounts.get(normalize_name(name.strip()))
    return account if verify_password(account, password) else None


class SignInLocked(Exception):
    """Too many failed sign-ins for this account or this client; the message is French."""

    def __init__(self, retry_after: float, now: dt.datetime | None = None):
        self.retry_after = retry_after
        seconds = max(1, math.ceil(retry_after))
        at = (now or dt.datetime.now()) + dt.timedelta(seconds=seconds)
        wait = f"{seconds} secondes" if seconds < 120 else f"{round(seconds / 60)} minutes"
        super().__init__(f"Trop d'essais de connexion : réessayez dans {wait} "
                         f"(à partir de {at:%H:%M:%S}).")


class SignInThrottle:
    """Failed sign-ins, counted for the whole server (every session, every tab, every
    thread), by account name and by client address.

    ``max_failures`` failures within ``window`` seconds lock the account name (and the
    client) for ``base_lockout`` seconds; every further failure doubles the lock, up to
    ``max_lockout``. A reload does not reset anything: the counts live in the process, not
    in the browser session. A successful sign-in clears the account name's count.
    """

    def __init__(self, max_failures: int = 5, window: float = 15 * 60,
                 base_lockout: float = 30, max_lockout: float = 15 * 60,
                 max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self.base_lockout = base_lockout
        self.max_lockout = max_lockout
        self.max_keys = max_keys
        self.clock = clock
        self._failures: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def keys(name: str, client: str | None) -> list[tuple[str, str]]:
        """The counters a sign-in touches: its account name, and its client when known."""
        keys = [("compte", normalize_name(name.strip()).casefold()[:256])]
        if client:
            keys.append(("client", client[:256]))
        return keys

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        times = [t for t in self._failures.get(key, ()) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def _wait(self, times: list[float], now: float) -> float:
        if len(times) < self.max_failures:
            return 0.0
        lockout = min(self.base_lockout * 2 ** (len(times) - self.max_failures),
                      self.max_lockout)
        return max(0.0, times[-1] + lockout - now)

    def retry_after(self, name: str, client: str | None) -> float:
        """Seconds before this account name and client may try again (0: now)."""
        with self._lock:
            now = self.clock()
            return max(self._wait(self._recent(key, now), now)
                       for key in self.keys(name, client))

    def record_failure(self, name: str, client: str | None) -> None:
        with self._lock:
            now = self.clock()
            for key in self.keys(name, client):
                self._failures[key] = [*self._recent(key, now), now]
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:  # bounded memory under a flood
                self._failures.popitem(last=False)

    def record_success(self, name: str, client: str | None) -> None:
        with self._lock:
            self._failures.pop(self.keys(name, client)[0], None)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()


# One per server process: every session and tab shares it.
SIGN_IN_THROTTLE = SignInThrottle()


def sign_in(accounts: dict[str, Account], name: str, password: str, client: str | None,
            throttle: SignInThrottle = SIGN_IN_THROTTLE) -> Account | None:
    """Check a local sign-in under the server-wide throttle: the account, or None for a
    wrong name or password; SignInLocked (French message) while locked out. ``client`` is
    the viewer's address (None when unknown: the account name alone is counted)."""
    wait = throttle.retry_after(name, client)
    if wait > 0:
        raise SignInLocked(wait)
    account = authenticate(accounts, name, password)
    if account is None:
        throttle.record_failure(name, client)
    else:
        throttle.record_success(name, client)
    return account


@functools.lru_cache(maxsize=8)
def proxy_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks of ``TNE_DASH_TRUSTED_PROXIES``: addresses or networks (``10.0.0.0/8``)
    separated by commas. A value that is neither raises a French ``ValueError`` naming it."""
    networks = []
    for item in text.split(","):
        if not item.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ValueError(f"TNE_DASH_TRUSTED_PROXIES : « {item.strip()[:60]} » n'est ni une "
                             "adresse IP ni un réseau (exemple : 127.0.0.1,10.0.0.0/8).") from None
    return tuple(networks)


def _is_proxy(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # not an address (« testclient », garbage): never a proxy
    return any(ip in network for network in networks)


def client_key(remote_ip: str | None, forwarded_for: str | None = None,
               real_ip: str | None = None,
               trusted_proxies: str = DEFAULT_TRUSTED_PROXIES) -> str | None:
    """Who is asking, for the sign-in throttle and the API's buckets.

    A connection from anywhere but a trusted proxy (``TNE_DASH_TRUSTED_PROXIES``: loopback
    by default, nginx on the same machine) is its own address: the forwarding headers it
    sends are not believed — anyone can write them, and a new one at each request would be a
    new bucket. Behind a trusted proxy, the client is the last address of
    ``X-Forwarded-For`` that is not a proxy itself, read from the right (a client writes
    what it likes on the left; nginx appends the address it saw), else ``X-Real-IP``. None
    for a local viewer without forwarding headers (no connection, or loopback): the throttle
    then counts the account name alone."""
    try:
        networks = proxy_networks(trusted_proxies)
    except ValueError:
        networks = ()  # refused at start (serve.py); never a reason to believe a header
    if remote_ip and not _is_proxy(remote_ip, networks):
        return remote_ip
    chain = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    for address in reversed(chain):
        if not _is_proxy(address, networks):
            return address[:64]
    if chain:  # proxies all the way: the first one is as far as the chain goes
        return chain[0][:64]
    forwarded = (real_ip or "").strip()
    if forwarded:
        return forwarded[:64]
    return None if not remote_ip or _is_loopback(remote_ip) else remote_ip


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def request_client(request, trusted_proxies: str) -> str | None:
    """``client_key`` of a Starlette request — its peer's address and its forwarding
    headers: the sign-in routes and the read API count a client alike."""
    return client_key(request.client.host if request.client else None,
                      request.headers.get("x-forwarded-for"),
                      request.headers.get("x-real-ip"), trusted_proxies)


_ROLE_WORDS = {"lecteur": Role.LECTEUR, "reader": Role.LECTEUR,
               "editeur": Role.EDITEUR, "éditeur": Role.EDITEUR, "editor": Role.EDITEUR,
               "admin": Role.ADMIN, "administrateur": Role.ADMIN, "administrator": Role.ADMIN}
_ROLE_RANK = (Role.LECTEUR, Role.EDITEUR, Role.ADMIN)


def claim_value(claims: object, path: str) -> object:
    """The claim ``path`` of an ID token's claims (``realm_access.roles``: a dotted path
    reads inside objects); None when absent."""
    value = claims
    for part in path.split("."):
        getter = getattr(value, "get", None)
        if getter is None:
            return None
        value = getter(part)
    return value


def _claim_items(value: object) -> list[str]:
    if isinstance(value, str):
        return [v for v in re.split(r"[,;\s]+", value) if v]
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def role_from_claim(value: object) -> Role | None:
    """The highest role a claim names (« admin », « editeur », « lecteur », in French or
    English, any case; a list keeps the highest); None when it names none."""
    found = [_ROLE_WORDS[w] for w in (v.strip().casefold() for v in _claim_items(value))
             if w in _ROLE_WORDS]
    return max(found, key=_ROLE_RANK.index) if found else None


def departements_from_claim(value: object) -> frozenset[str]:
    """The département codes a claim carries (a list, or codes separated by commas);
    anything that is not a real code is left out."""
    codes = {v.strip().upper() for v in _claim_items(value)}
    return frozenset(c for c in codes if check_departement_code(c) is None)


def account_for_claims(accounts: dict[str, Account], claims: object, *, role_claim: str = "",
                       departements_claim: str = "") -> Account:
    """The rights of a user signed in with the identity provider: from the ID token's
    claims when a role claim is declared (``TNE_DASH_OIDC_ROLE_CLAIM``) and the token
    carries it, else from the accounts file entry with the same verified e-mail."""
    email = str(claim_value(claims, "email") or "")
    display = str(claim_value(claims, "name") or "")
    role = role_from_claim(claim_value(claims, role_claim)) if role_claim else None
    if role is None:
        return account_for_identity(accounts, email, display,
                                    claim_value(claims, "email_verified"))
    departements = (departements_from_claim(claim_value(claims, departements_claim))
                    if departements_claim and role == Role.EDITEUR else frozenset())
    return Account(name=display or email.strip().lower() or "utilisateur", role=role,
                   departements=departements, email=email.strip().lower())


def account_for_identity(accounts: dict[str, Account], email: str, display_name: str,
                         email_verified: object = None) -> Account:
    """The rights of a user signed in with the identity provider, matched by e-mail — never
    by an address the provider says it has not verified (``email_verified`` false: a user
    could have typed someone else's address)."""
    email = email.strip().lower()
    verified = email_verified is not False and str(email_verified).lower() != "false"
    for account in accounts.values():
        if email and verified and account.email == email:
            return Account(name=account.name, role=account.role,
                           departements=account.departements, email=email)
    return Account(name=display_name or email, role=Role.LECTEUR, email=email)
