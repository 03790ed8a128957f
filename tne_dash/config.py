"""Declared configuration: every option has a default and a help text, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from tne_dash import PROJECT_ROOT, REFERENCE_DIR

ENV_PREFIX = "TNE_DASH_"
DEFAULT_DATABASE_PATH = PROJECT_ROOT / "data" / "tne_dash.sqlite"
DEFAULT_ACCOUNTS_FILE = PROJECT_ROOT / "config" / "accounts.toml"
DEFAULT_SESSION_SECRET_FILE = PROJECT_ROOT / "config" / "session_secret"
# Shown on the « Déclaration d'accessibilité » page until the operator names a real contact.
DEFAULT_ACCESSIBILITY_CONTACT = (
    "l'équipe du programme Territoires Numériques Éducatifs de votre département ou de votre "
    "académie (délégation régionale académique au numérique pour l'éducation, DRANE), en "
    "précisant « tableau de bord TNE — accessibilité » et la page concernée"
)


def _default_database_url() -> str:
    return f"sqlite:///{DEFAULT_DATABASE_PATH}"

# Loopback: nginx on the same machine, as in deploy/ (``access.client_key``).
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"


@dataclass(frozen=True)
class Settings:
    """The app's settings; each field reads ``TNE_DASH_<FIELD NAME IN CAPITALS>``."""

    database_url: str = field(
        default_factory=_default_database_url,
        metadata={"help": "SQLAlchemy URL of the database (SQLite file by default, "
                  "postgresql+psycopg://… in production)."},
    )
    read_database_url: str = field(
        default="",
        metadata={"help": "SQLAlchemy URL of a read replica (a streaming standby of the "
                  "database above) for the public's reading pages, the API and the bench. "
                  "Empty: they read the database above. Writes, migrations and editors' "
                  "pages always use the database above; while the replica cannot be reached, "
                  "reads go there too (one line in the server log)."},
    )
    reference_dir: Path = field(
        default=REFERENCE_DIR,
        metadata={"help": "Folder of the reference data pack (départements, communes, CNFS…)."},
    )
    demo: bool = field(
        default=True,
        metadata={"help": "Generate the labelled demo activity when the embedded database "
                  "is created on first use."},
    )
    map_tiles: str = field(
        default="none",
        metadata={"help": "Map background: none (outlines only, works offline), ign (Plan IGN "
                  "v2 from the Géoplateforme) or osm (OpenStreetMap) — the last two need "
                  "internet access."},
    )
    public_url: str = field(
        default="",
        metadata={"help": "Address viewers use to reach the dashboard (https://tne.example.fr); "
                  "the presentation's QR code and short link, the <iframe> code of the "
                  "embeddable cards (« Intégrer sur votre site ») and the cards' link back "
                  "point there. By default, the address the viewer's browser used (the cards' "
                  "link: relative to the card's own address)."},
    )
    cache_ttl_seconds: int = field(
        default=60,
        metadata={"help": "How long the app keeps a query result before reading it again."},
    )
    accounts_file: Path = field(
        default=DEFAULT_ACCOUNTS_FILE,
        metadata={"help": "Local accounts (TOML, Argon2 password hashes) used when no identity "
                  "provider is configured; managed with tne-dash accounts."},
    )
    session_hours: int = field(
        default=8,
        metadata={"help": "How long a local sign-in lasts, in hours: the signed cookie's "
                  "lifetime (a reload, a new tab or a link keep the editor signed in)."},
    )
    session_secret: str = field(
        default="",
        repr=False,
        metadata={"help": "Secret that signs the sign-in cookies (at least 32 characters; the "
                  "same for every process behind one address). Empty: read from "
                  "TNE_DASH_SESSION_SECRET_FILE, generated there on first start."},
    )
    session_secret_file: Path = field(
        default=DEFAULT_SESSION_SECRET_FILE,
        metadata={"help": "File holding the cookie secret when TNE_DASH_SESSION_SECRET is "
                  "empty; created on first start (mode 600, never logged)."},
    )
    oidc_provider_name: str = field(
        default="ProConnect",
        metadata={"help": "Name of the identity provider on the sign-in button "
                  "(« Se connecter avec ProConnect »), when secrets.toml has an [auth] "
                  "section."},
    )
    oidc_role_claim: str = field(
        default="",
        metadata={"help": "Claim of the identity provider's ID token that carries the role "
                  "(lecteur, editeur, admin; a list keeps the highest; a dotted path such as "
                  "realm_access.roles reads inside an object). Empty: the role comes from "
                  "the accounts file entry with the same e-mail."},
    )
    oidc_departements_claim: str = field(
        default="",
        metadata={"help": "Claim that carries an editor's départements (a list, or codes "
                  "separated by commas), read with TNE_DASH_OIDC_ROLE_CLAIM."},
    )
    import_max_mb: int = field(
        default=20,
        metadata={"help": "Largest file an import accepts, in megabytes."},
    )
    import_max_rows: int = field(
        default=50_000,
        metadata={"help": "Most data rows an import accepts."},
    )
    accessibility_contact: str = field(
        default=DEFAULT_ACCESSIBILITY_CONTACT,
        metadata={"help": "Whom to tell about an accessibility problem, on the « Déclaration "
                  "d'accessibilité » page: an e-mail address or a web form's address (shown "
                  "as a link), or a sentence. By default, the programme's team of the "
                  "département or académie."},
    )
    api_requests_per_minute: int = field(
        default=60,
        metadata={"help": "Requests to the read API (/api/v1/…) one client may make per "
                  "minute (a token bucket per client address; beyond it: 429 and "
                  "Retry-After). 0: no limit (a proxy in front limits instead)."},
    )

    trusted_proxies: str = field(
        default=DEFAULT_TRUSTED_PROXIES,
        metadata={"help": "Addresses or networks (10.0.0.0/8), separated by commas, of the "
                  "reverse proxies whose X-Forwarded-For and X-Real-IP are believed: the "
                  "sign-in throttle and the API's requests per minute count the client they "
                  "name. Any other connection is counted by its own address, whatever "
                  "headers it sends. By default loopback: nginx on the same machine."},
    )

    @property
    def reading_url(self) -> str:
        """Where reads go: the replica when one is set, the database otherwise."""
        return self.read_database_url or self.database_url

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``TNE_DASH_*`` environment variables, defaults elsewhere."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(raw, f.type)
        return cls(**values)


def _parse(raw: str, type_name: object) -> object:
    if type_name in ("bool", bool):
        return raw.strip().lower() in {"1", "true", "yes", "oui", "on"}
    if type_name in ("int", int):
        return int(raw)
    if type_name in ("Path", Path):
        return Path(raw)
    return raw


def describe_settings() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting — the README table's source."""
    defaults = Settings()
    return [
        (ENV_PREFIX + f.name.upper(), str(getattr(defaults, f.name)), f.metadata["help"])
        for f in fields(Settings)
    ]
