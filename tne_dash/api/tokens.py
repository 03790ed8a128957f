"""API tokens: one or more per account, shown once, kept as their SHA-256 only, revocable.

A token is ``tne_`` followed by 43 random URL-safe characters (256 bits). The database keeps
its SHA-256 (hex), its first 12 characters to tell tokens apart in a list, a label, and
when it was made, last used and revoked. A request sends it as ``Authorization: Bearer …``;
the account it belongs to is read from the accounts file at each request, so that a
removed account or a changed role counts at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from tne_dash.access import Account
from tne_dash.store.models import ApiToken

TOKEN_PREFIX = "tne_"
SHOWN_PREFIX_LENGTH = 12
MAX_LABEL_LENGTH = 100
# What a token looks like (anything else is refused without reading the database).
TOKEN_SHAPE = re.compile(r"^tne_[A-Za-z0-9_-]{20,100}$")
# ``last_used_at`` is written at most this often per token (not one write per request).
LAST_USED_EVERY = dt.timedelta(minutes=1)

UNKNOWN_TOKEN = ("Jeton d'API inconnu ou révoqué : vérifiez l'en-tête « Authorization: "
                 "Bearer … », ou demandez un nouveau jeton à un administrateur "
                 "(tne-dash api-token create).")
NO_ACCOUNT = ("Le compte de ce jeton d'API n'existe plus : demandez un nouveau jeton à un "
              "administrateur.")


class TokenRefused(Exception):
    """A token that gives nothing (unknown, revoked, its account gone): French message."""


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never the token itself."""

    id: int
    account_name: str
    prefix: str
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def new_token() -> str:
    """A fresh token: ``tne_`` and 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 of a token, in hex: the only form the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.account_name, row.prefix, row.label, row.created_at,
                     row.last_used_at, row.revoked_at)


def create_token(engine: Engine, account_name: str, label: str,
                 now: dt.datetime) -> tuple[TokenInfo, str]:
    """Make a token for ``account_name``; returns it with its row. The token is never
    stored nor shown again."""
    token = new_token()
    with Session(engine) as session, session.begin():
        row = ApiToken(account_name=account_name, token_hash=token_hash(token),
                       prefix=token[:SHOWN_PREFIX_LENGTH], label=label[:MAX_LABEL_LENGTH],
                       created_at=now)
        session.add(row)
        session.flush()
        info = _info(row)
    return info, token


def list_tokens(engine: Engine, account_name: str | None = None) -> list[TokenInfo]:
    """Every token (of one account when given), oldest first."""
    stmt = select(ApiToken).order_by(ApiToken.id)
    if account_name is not None:
        stmt = stmt.where(ApiToken.account_name == account_name)
    with Session(engine) as session:
        return [_info(row) for row in session.scalars(stmt)]


def revoke_token(engine: Engine, token_id: int, now: dt.datetime) -> TokenInfo | None:
    """Revoke a token (at once: the next request with it gets a 401); None when no token
    has this number. Revoking a revoked token keeps its first date."""
    with Session(engine) as session, session.begin():
        row = session.get(ApiToken, token_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = now
        return _info(row)


def account_for_token(engine: Engine, accounts: dict[str, Account], token: str,
                      now: dt.datetime) -> Account:
    """The account a bearer token stands for; TokenRefused (French) when it is malformed,
    unknown, revoked, or its account is gone. The hash is looked up (bound parameter), then
    compared in constant time; the last use is written at most once a minute."""
    if not TOKEN_SHAPE.match(token):
        raise TokenRefused(UNKNOWN_TOKEN)
    presented = token_hash(token)
    with Session(engine) as session:
        row = session.scalars(select(ApiToken).where(ApiToken.token_hash == presented)).first()
        if (row is None or not hmac.compare_digest(row.token_hash, presented)
                or row.revoked_at is not None):
            raise TokenRefused(UNKNOWN_TOKEN)
        account = accounts.get(row.account_name)
        if account is None:
            raise TokenRefused(NO_ACCOUNT)
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
            session.execute(update(ApiToken).where(ApiToken.id == row.id)
                            .values(last_used_at=now))
            session.commit()
    return account
