"""A local sign-in that survives a reload, and the first administrator's one-time link.

- **The cookie.** After a local sign-in, the browser holds ``tne_session``: the account
  name, an expiry and a digest of the account's password hash, signed with HMAC-SHA256 by a
  server secret. The server sets it (``HttpOnly``: no script of the page reads it) and the
  app reads it back on every run: a bad signature, a past expiry, a removed account or a
  changed password (another digest) reads as nobody — never an error.
- **The secret.** ``TNE_DASH_SESSION_SECRET``, or a file (``TNE_DASH_SESSION_SECRET_FILE``)
  created on first start with 32 random bytes, mode 600. It is never printed nor logged.
- **The setup link.** While there is no account at all, ``tne-dash run`` prints a link
  with a random token; only its SHA-256 and its expiry (24 h) are stored, next to the
  accounts file. The link creates the first administrator once, then the token is gone.

Pure standard library: the server routes (``ui/sign_in_routes.py``), the app's pages
(``ui/auth.py``) and the command line share it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

from tne_dash.access import Account

COOKIE_NAME = "tne_session"
COOKIE_VERSION = 1
SECRET_BYTES = 32
MIN_SECRET_LENGTH = 32  # characters of TNE_DASH_SESSION_SECRET
SETUP_TOKEN_HOURS = 24
SETUP_TOKEN_FILE = "first-admin-token.json"
# Longest cookie value read back: a name of 64 characters makes about 200.
MAX_COOKIE_LENGTH = 1024
# Where the sign-in, sign-out and first-administrator forms post (ui/sign_in_routes.py).
SIGN_IN_PATH = "/auth/connexion"
SIGN_OUT_PATH = "/auth/deconnexion"
FIRST_ADMIN_PATH = "/auth/premier-admin"
# What the sign-in route adds to the page it sends the browser back to, for the page to say:
# ?connexion=echec|verrou&attente=SECONDES&formulaire=page|sidebar (which form posted).
RESULT_PARAM, WAIT_PARAM, FORM_PARAM = "connexion", "attente", "formulaire"
FAILED, LOCKED = "echec", "verrou"


class SecretError(ValueError):
    """The cookie secret cannot be read or is too short; the message is French."""


# -- The server secret ---------------------------------------------------------------------


_secret_cache: dict[tuple[str, int], bytes] = {}


def server_secret(configured: str, path: Path) -> bytes:
    """The secret signing the cookies: ``configured`` (the setting) when given, else the
    file at ``path``, created with 32 random bytes (mode 600, in one atomic step: two
    processes starting together end up with the same secret) when it does not exist."""
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise SecretError(f"TNE_DASH_SESSION_SECRET trop court : au moins "
                              f"{MIN_SECRET_LENGTH} caractères.")
        return configured.encode("utf-8")
    ensure_secret_file(path)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns)
    if key not in _secret_cache:
        value = path.read_text(encoding="ascii").strip()
        if len(value) < MIN_SECRET_LENGTH:
            raise SecretError(f"Secret des sessions trop court dans {path} : supprimez le "
                              "fichier, il sera recréé.")
        _secret_cache.clear()
        _secret_cache[key] = value.encode("ascii")
    return _secret_cache[key]


def ensure_secret_file(path: Path) -> bool:
    """Create the secret file when it is missing (True when this call created it). The
    file is written under a temporary name (mode 600) and linked into place, so a reader
    never sees it half written and a concurrent creator never overwrites it."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(SECRET_BYTES) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)  # fails if another process created it meanwhile
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


# -- The cookie ----------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, f"tne-session.{payload}".encode("ascii"),
                         hashlib.sha256).digest())


def password_digest(secret: bytes, password_hash: str) -> str:
    """What the cookie carries of the password: changing the password (a new Argon2 hash,
    new salt) changes it, and so ends every cookie issued before."""
    return _b64(hmac.new(secret, f"tne-password.{password_hash}".encode(),
                         hashlib.sha256).digest()[:16])


def issue_cookie(account: Account, secret: bytes, now: float, hours: int) -> str:
    """The signed cookie value for ``account``, valid ``hours`` hours from ``now`` (epoch
    seconds)."""
    payload = _b64(json.dumps({
        "v": COOKIE_VERSION, "a": account.name, "e": int(now + hours * 3600),
        "p": password_digest(secret, account.password_hash),
    }, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_sign(secret, payload)}"


def read_cookie(value: str | None, secret: bytes, accounts: dict[str, Account],
                now: float) -> Account | None:
    """The account a cookie stands for, or None: missing, malformed, tampered (bad
    signature), expired, an account removed, without a local password, or whose password
    changed since. Never raises."""
    if not value or len(value) > MAX_COOKIE_LENGTH or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    try:
        if not hmac.compare_digest(signature, _sign(secret, payload)):
            return None
        data = json.loads(_unb64(payload))
        name, expires, digest = data["a"], data["e"], data["p"]
    except (ValueError, TypeError, KeyError, UnicodeError):
        return None
    if data.get("v") != COOKIE_VERSION or not isinstance(expires, int) or expires <= now:
        return None
    account = accounts.get(name) if isinstance(name, str) else None
    if account is None or not account.password_hash or not isinstance(digest, str):
        return None
    if not hmac.compare_digest(digest, password_digest(secret, account.password_hash)):
        return None
    return account


def cookie_attributes(hours: int, secure: bool) -> dict[str, object]:
    """The cookie's attributes (Starlette ``set_cookie`` arguments): the whole site,
    ``HttpOnly``, ``SameSite=Lax``, ``Secure`` over HTTPS."""
    return {"max_age": hours * 3600, "path": "/", "httponly": True, "samesite": "lax",
            "secure": secure}


# -- Where a form may send the browser back, and who may post it ----------------------------


def safe_return_path(text: str | None, default: str = "/") -> str:
    """A path on this site to send the browser back to: a relative path starting with one
    ``/`` (``//host``, ``/\\host``, a scheme or control characters would leave the site:
    no open redirect). Anything else is ``default``."""
    if not text or len(text) > 2048 or not text.startswith("/"):
        return default
    if text.startswith(("//", "/\\")) or any(ord(c) < 0x20 or c in "\\\x7f" for c in text):
        return default
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return default
    return text


def same_origin(origin: str | None, referer: str | None, hosts: set[str]) -> bool:
    """True when a form post comes from a page of this site: its ``Origin`` (else its
    ``Referer``) names one of ``hosts`` (``host[:port]`` as the browser addressed this
    server: the ``Host`` header, a proxy's ``X-Forwarded-Host``, the public address). A post
    with neither header is refused: browsers send ``Origin`` with every form post."""
    source = origin if origin and origin != "null" else referer
    if not source:
        return False
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    wanted = {h.strip().lower() for h in hosts if h and h.strip()}
    netloc = parts.netloc.lower()
    if netloc in wanted:
        return True
    # A proxy's Host header (nginx $host) may carry no port: compare host names then.
    return any(":" not in h.rsplit("]", 1)[-1] and h == (parts.hostname or "")
               for h in wanted)


# -- The first administrator's one-time link ------------------------------------------------


def setup_token_path(accounts_file: Path) -> Path:
    """Where the setup token's hash lives: beside the accounts file."""
    return accounts_file.with_name(SETUP_TOKEN_FILE)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_setup_token(path: Path, now: float | None = None) -> str:
    """A new random token (the previous one, if any, stops working); its SHA-256 and its
    expiry (24 h) are written to ``path`` (mode 600). Returns the token itself, which is
    stored nowhere."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        json.dump({"sha256": _token_hash(token),
                   "expires": int(now + SETUP_TOKEN_HOURS * 3600)}, file)
    os.replace(temporary, path)
    return token


def setup_token_valid(path: Path, token: str | None, now: float | None = None) -> bool:
    """True when ``token`` is the current setup token and has not expired."""
    now = time.time() if now is None else now
    if not token or len(token) > 200:
        return False
    try:
        stored = json.loads(path.read_text(encoding="ascii"))
        expected, expires = str(stored["sha256"]), float(stored["expires"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return hmac.compare_digest(_token_hash(token), expected) and now < expires


def consume_setup_token(path: Path, token: str | None, now: float | None = None) -> bool:
    """Use the token up: True for exactly one caller holding the valid token, even when
    several post at once (the file is renamed away first; only one rename succeeds)."""
    if not setup_token_valid(path, token, now):
        return False
    claimed = path.with_name(f".{path.name}.{secrets.token_hex(8)}.used")
    try:
        os.rename(path, claimed)
    except FileNotFoundError:
        return False
    try:
        return setup_token_valid(claimed, token, now)  # still ours, not a newer token
    finally:
        claimed.unlink(missing_ok=True)


def discard_setup_token(path: Path) -> None:
    """Remove the setup token (an account exists: the link has nothing left to do)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
