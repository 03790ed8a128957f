"""The ``tne-dash`` command: build the database, print indicators, run the app.

Building the parser (``tne-dash --help``, ``tne-dash indicators --help``) imports the
standard library and light ``tne_dash`` modules only: pandas, SQLAlchemy, the figures and
the store are imported by the command that needs them (``tests/test_startup.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tne_dash import PROJECT_ROOT
from tne_dash.argparse_french import speaking_french
from tne_dash.catalogue import CATALOGUE
from tne_dash.config import DEFAULT_DATABASE_PATH, Settings
from tne_dash.labels import format_date, format_value

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError

    from tne_dash.figures.indicators import IndicatorValues

# ``--scale`` of init-db: the values of ``store.build.SCALES`` (not imported here: the store
# pulls in pandas and SQLAlchemy); tests/test_startup.py checks they stay the same.
TNE_SCALE, NATIONAL_SCALE = "tne", "national"
SCALES = (TNE_SCALE, NATIONAL_SCALE)

EXIT_REFUSED = 1
EXIT_USAGE = 2
log = logging.getLogger("tne_dash.cli")


class UsageError(ValueError):
    """Bad command-line input; the message is one French line."""


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse in French (``argparse_french``: « usage : », its errors), each error one line
    (``Erreur : …``) and exit code 2."""

    def __init__(self, *args, **kwargs):
        with speaking_french():  # its groups' titles and -h's help are written here
            super().__init__(*args, **kwargs)

    def parse_args(self, *args, **kwargs):  # « arguments non reconnus » is written here
        with speaking_french():
            return super().parse_args(*args, **kwargs)

    def parse_known_args(self, *args, **kwargs):
        with speaking_french():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        with speaking_french():
            return super().format_usage()

    def format_help(self) -> str:
        with speaking_french():
            return super().format_help()

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Erreur : {self.prog} : {message}\n")


def port_number(text: str) -> int:
    """``--port``: a TCP port, 1 to 65535 (argparse ``type=``)."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"port invalide : « {text} » — attendu un nombre entier de 1 à 65535 (ex. 8501)")
    return port


def positive_int(text: str) -> int:
    """A whole number ≥ 1 (argparse ``type=``)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"nombre invalide : « {text} » — attendu un nombre entier positif")
    return value


def output_file(text: str | None, option: str) -> Path:
    """The file an option names for writing, refused with a French UsageError naming the
    option when its folder does not exist or it is a folder itself."""
    path = Path(text or "")
    if not text or path.is_dir():
        raise UsageError(f"{option} doit nommer un fichier, pas un dossier : « {text} ».")
    if not path.resolve().parent.is_dir():
        raise UsageError(f"Dossier introuvable pour {option} : « {path.parent} » — créez-le "
                         "d'abord ou choisissez un autre chemin.")
    return path


def write_output(path: Path, data: bytes, option: str) -> None:
    """Write ``data`` to the file of ``option``; an OS refusal is one French line."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"Impossible d'écrire {option} « {path} » : "
                         f"{exc.strerror or exc}.") from None


def parse_date(text: str | None, option: str) -> dt.date | None:
    """ISO date (AAAA-MM-JJ) or None; UsageError naming the option otherwise."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"Date invalide pour {option} : « {text} » — attendu AAAA-MM-JJ (ex. 2023-04-17)."
        ) from None


def parse_school_year(text: str | None):
    """A school year (AAAA-AAAA) as a Period, or None; UsageError naming it otherwise."""
    from tne_dash.periods import parse_period

    if not text:
        return None
    try:
        return parse_period(text)
    except ValueError:
        raise UsageError(f"Année scolaire invalide : « {text} » — attendu AAAA-AAAA "
                         "(ex. 2022-2023).") from None


def progress_bar(label: str, fraction: float, stream=None) -> None:
    """One self-overwriting line: « [#####.....]  50 % Communes »."""
    stream = stream or sys.stderr
    width = 30
    filled = round(width * fraction)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {label:<60}")
    if fraction >= 1:
        stream.write("\n")
    stream.flush()


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "database_url", None):
        settings = replace(settings, database_url=args.database_url)
    return settings


def check_database_url(url: str, *, creates: bool = False,
                       builds_default: bool = False) -> None:
    """Refuse, before anything touches the disk, a SQLite address that would create files
    nobody asked for: SQLite URIs (``file:…``, ``?uri=true``: their folders are made at
    random places), and a database file that does not exist — a mistyped path would
    otherwise quietly become a new demo database. ``creates``: the command makes the
    database (``init-db``, ``db``); ``builds_default``: the embedded default database
    (``config.DEFAULT_DATABASE_PATH``) is built on first start (``run``)."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    from tne_dash.store.db import redact_url

    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # make_engine names a malformed URL in its own message
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database or ""
    if "uri" in parsed.query or database.startswith("file:"):
        raise UsageError(
            f"Adresse SQLite refusée : « {redact_url(url)} » — les URI SQLite (file:…, "
            "uri=true) ne sont pas acceptées ; donnez un chemin de fichier "
            "(ex. sqlite:///data/tne_dash.sqlite).")
    if creates or database in ("", ":memory:"):
        return
    path = Path(database)
    if path.is_file():
        return
    if builds_default and path.resolve() == DEFAULT_DATABASE_PATH.resolve():
        return
    if path.exists():
        raise UsageError(f"La base SQLite « {path} » n'est pas un fichier.")
    raise UsageError(
        f"Base SQLite introuvable : « {path} » — vérifiez --database-url (ou "
        "TNE_DASH_DATABASE_URL), ou créez-la avec « tne-dash init-db --database-url … ».")


def _database_settings(args: argparse.Namespace, *, creates: bool = False,
                       builds_default: bool = False) -> Settings:
    """The settings of a command that uses the database, its address checked first."""
    settings = _settings(args)
    check_database_url(settings.database_url, creates=creates, builds_default=builds_default)
    return settings


def cmd_init_db(args: argparse.Namespace) -> int:
    from tne_dash.store.build import build_database
    from tne_dash.store.db import make_engine, redact_url

    settings = _database_settings(args, creates=True)
    engine = make_engine(settings.database_url)
    demo = settings.demo if args.demo is None else args.demo
    started = time.perf_counter()
    built = build_database(engine, settings.reference_dir, demo=demo, force=args.force,
                           progress=progress_bar, scale=args.scale)
    if built:
        print(f"Base construite en {time.perf_counter() - started:.0f} s "
              f"({redact_url(settings.database_url)}, échelle {args.scale}).")
    if not built:
        print("La base existe déjà (utilisez --force pour la reconstruire).")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """``db upgrade``: migrate the schema to the code's version; ``db current``: say where
    the database is."""
    from tne_dash.store.db import (
        check_connection,
        head_revision,
        make_engine,
        new_revision,
        schema_revision,
        upgrade_schema,
    )

    if args.action == "revision":
        path = new_revision(args.message or "schema change")
        print(f"Nouvelle migration : {path} — relisez-la avant de la committer.")
        return 0
    engine = make_engine(_database_settings(args, creates=True).database_url)
    check_connection(engine)
    before = schema_revision(engine)
    if args.action == "upgrade":
        upgrade_schema(engine)
        after = schema_revision(engine)
        print(f"Schéma à jour : révision {after}" + ("" if before == after else
                                                   f" (depuis {before or 'aucune'})") + ".")
    else:
        print(f"Révision de la base : {before or 'aucune'} ; révision du code : "
              f"{head_revision()}.")
    engine.dispose()
    return 0


def ensure_database(settings: Settings) -> None:
    """Build the embedded database on first use, with a progress bar."""
    from tne_dash.store.build import build_database
    from tne_dash.store.build_lock import is_ready
    from tne_dash.store.db import make_engine

    engine = make_engine(settings.database_url)
    if not is_ready(engine):  # never creates a missing SQLite file outside the build lock
        print("Première utilisation : construction de la base de données…", file=sys.stderr)
        build_database(engine, settings.reference_dir, demo=settings.demo,
                       progress=progress_bar)
    engine.dispose()


def render_indicators(values: IndicatorValues, fmt: str, level: str | None = None,
                      groups: list[dict] | None = None) -> str:
    """JSON, CSV or a French table; the indicators that do not apply to the scope are left
    out of the CSV and the table (null in JSON). The JSON object and the CSV rows are the
    read API's (``tne_dash/api/payloads.py``)."""
    from tne_dash.api.payloads import indicator_blocks, indicator_payload, indicators_csv

    payload = indicator_payload(values, level, groups)
    if fmt == "json":
        return json.dumps(payload, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return indicators_csv(payload)
    notes = payload.get("non_filtres", {})
    width = max(len(CATALOGUE[c].label) for c in values.values)
    lines = [f"Périmètre : {values.scope}" + (" — données de démonstration" if values.demo
                                                else "")]
    for key, name, figures, reasons in indicator_blocks(payload):
        if key != "total":
            lines += ["", f"— {name} ({key})" if key else f"— {name}"]
        for code, value in figures.items():
            if code in reasons:
                continue
            ind = CATALOGUE[code]
            note = f"  ({notes[code]})" if code in notes else ""
            lines.append(f"{ind.label:<{width}}  {format_value(value, ind.unit, ind.decimals):>14}"
                         f"  {code}{note}")
    return "\n".join(lines)


def cmd_indicators(args: argparse.Namespace) -> int:
    from tne_dash.api.payloads import indicator_groups
    from tne_dash.figures.filters import Filters
    from tne_dash.figures.indicators import compute_indicators
    from tne_dash.figures.scope import Scope, check_scope_exists
    from tne_dash.screens.indicateurs.view import LEVELS, parse_indicateurs_view, query_params_of
    from tne_dash.store import queries
    from tne_dash.store.db import make_engine

    settings = _database_settings(args)
    if args.query:
        if args.scope or args.date_from or args.date_to:
            raise UsageError("--query porte déjà le territoire et la période : n'ajoutez ni "
                             "--scope, ni --from, ni --to.")
        params = query_params_of(args.query)
        if params.get("par") and params["par"] not in LEVELS:
            shown = "".join(c for c in params["par"][:20] if c.isprintable())
            raise UsageError(f"Regroupement inconnu pour par : « {shown} » — attendu "
                             f"{', '.join(LEVELS)}.")
        ensure_database(settings)
        with make_engine(settings.database_url).connect() as conn:
            view = parse_indicateurs_view(
                params, dt.date.today(),
                set(queries.departements(conn)["code"]),
                set(queries.all_communes(conn)["code_insee"]))
            if view.problems:
                raise UsageError(" ".join(view.problems))
            values = compute_indicators(conn, view.scope, view.filters)
            # « par » groups the figures as the page's table does (never silently ignored).
            level = view.level if params.get("par") else None
            groups = (indicator_groups(conn, view.scope, view.filters, level)
                      if level else None)
        print(render_indicators(values, args.format, level, groups))
        return 0
    if not args.scope:
        raise UsageError("Indiquez --scope (ou --query avec un lien de la page Indicateurs).")
    scope = Scope.parse(args.scope)
    filters = Filters(date_from=parse_date(args.date_from, "--from"),
                      date_to=parse_date(args.date_to, "--to"))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise UsageError("Période invalide : --from est après --to.")
    ensure_database(settings)
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        check_scope_exists(conn, scope)
        values = compute_indicators(conn, scope, filters)
    print(render_indicators(values, args.format))
    return 0


def cmd_objectives(args: argparse.Namespace) -> int:
    from tne_dash.figures.objectives import Status, objectives_progress
    from tne_dash.figures.objectives_table import objectives_frame, objectives_summary
    from tne_dash.figures.scope import Scope, check_scope_exists, scope_label
    from tne_dash.periods import school_year_of
    from tne_dash.store.db import make_engine

    scope = Scope.parse(args.scope)
    as_of = parse_date(args.date, "--date") or dt.date.today()
    period = parse_school_year(args.annee) or school_year_of(as_of)
    settings = _database_settings(args)
    ensure_database(settings)
    with make_engine(settings.database_url).connect() as conn:
        check_scope_exists(conn, scope)
        progress = objectives_progress(conn, scope, period, as_of)
        place = scope_label(conn, scope)
    frame = objectives_frame(progress, exact=True)  # operators see exact counts
    if args.format == "csv":
        print(frame.to_csv(index=False).rstrip("\n"))
        return 0
    if args.format == "json":
        print(frame.to_json(orient="records", force_ascii=False, indent=2))
        return 0
    print(f"{place} — objectifs {period.label} au {format_date(as_of)}"
          + (" — données de démonstration" if progress.demo else ""))
    print(objectives_summary(progress))
    for row in progress.table.itertuples():
        print(f"  {row.label:<50} {format_value(row.achieved, row.unit, row.decimals):>10} sur "
              f"{format_value(row.target, row.unit, row.decimals):<10} "
              f"{Status(row.status).label:<14} {row.indicator}")
    return 0


def cmd_vigilance(args: argparse.Namespace) -> int:
    """The points de vigilance of a territory at a date: exact counts, as ``objectives``
    (operators); ``--public`` words them as the public views do."""
    from tne_dash.api.payloads import vigilance_csv, vigilance_payload
    from tne_dash.figures.scope import Scope, check_scope_exists, scope_label
    from tne_dash.figures.vigilance import vigilance_points, vigilance_summary, with_follow_ups
    from tne_dash.figures.vigilance_rules import RULES, SEVERITY_LABELS
    from tne_dash.periods import school_year_of
    from tne_dash.store.db import make_engine

    scope = Scope.parse(args.scope)
    as_of = parse_date(args.date_to, "--to") or dt.date.today()
    settings = _database_settings(args)
    ensure_database(settings)
    with make_engine(settings.database_url).connect() as conn:
        check_scope_exists(conn, scope)
        # Each commune's follow-up; its note is internal: not in the public wording.
        points = with_follow_ups(conn, vigilance_points(conn, scope, as_of,
                                                        exact=not args.public),
                                 with_notes=not args.public)
        place = scope_label(conn, scope)
    demo = bool(points["demo"].any())
    if args.format == "json":  # the read API's object (tne_dash/api/payloads.py)
        print(json.dumps(vigilance_payload(scope, place, as_of, points, not args.public),
                         ensure_ascii=False, indent=2))
        return 0
    if args.format == "csv":  # cells starting like a formula are neutralised
        print(vigilance_csv(points))
        return 0
    lines = [f"{place} — points de vigilance au {format_date(as_of)} (année scolaire "
             f"{school_year_of(as_of).label})" + (" — données de démonstration" if demo
                                                  else ""),
             vigilance_summary(points, place, as_of)]
    heading = None
    for row in points.itertuples():
        if (row.severity, row.rule) != heading:
            heading = (row.severity, row.rule)
            lines += ["", f"{SEVERITY_LABELS[row.severity]} — {RULES[row.rule].title}"]
        lines += [f"  {row.sentence}", f"    {row.link}"]
        if row.followed:
            note = getattr(row, "follow_up_note", "")
            lines.append("    Suivie" + (f" : {' '.join(note.split())}" if note else ""))
    print("\n".join(lines))
    return 0


def cmd_fiche(args: argparse.Namespace) -> int:
    from tne_dash.figures.comparison import (
        MAX_SELECTED,
        commune_profiles,
        compare_communes,
        default_selection,
    )
    from tne_dash.figures.scope import COMMUNE, Scope, check_scope_exists
    from tne_dash.screens.comparer.fiche import fiche_pdf
    from tne_dash.screens.comparer.tables import commune_columns
    from tne_dash.store.db import make_engine

    as_of = parse_date(args.date, "--date") or dt.date.today()
    period = parse_school_year(args.annee)
    code = args.commune.strip().upper()
    others = tuple(c.strip().upper() for c in (args.avec or "").split(",") if c.strip())
    out = output_file(args.out, "--out")
    settings = _database_settings(args)
    ensure_database(settings)
    with make_engine(settings.database_url).connect() as conn:
        for insee in (code, *others):
            check_scope_exists(conn, Scope(COMMUNE, insee))
        codes = tuple(dict.fromkeys((code, *others)))[:MAX_SELECTED]
        if not others:
            codes = default_selection(commune_profiles(conn), (code,))
        comp = compare_communes(conn, codes, period, as_of)
    write_output(out, fiche_pdf(comp, args.exact, dt.date.today()), "--out")
    print(f"Fiche de {commune_columns(comp)[0]} écrite dans {args.out}"
          + (" (données de démonstration)" if comp.demo else "") + ".")
    return 0


def cmd_rapport(args: argparse.Namespace) -> int:
    """The « rapport de situation » PDF of a département, the 12 TNE départements or France
    at a date. Public by default, as ``fiche``: a PDF travels; ``--exact`` for operators."""
    from tne_dash.figures.scope import Scope
    from tne_dash.figures.situation_report import check_report_scope, situation_report
    from tne_dash.report_pdf import report_pdf
    from tne_dash.store.db import make_engine

    if args.public and args.exact:
        raise UsageError("Choisissez --public ou --exact, pas les deux.")
    scope = Scope.parse(args.scope)
    check_report_scope(scope)
    as_of = parse_date(args.date_to, "--to") or dt.date.today()
    period = parse_school_year(args.annee)
    out = output_file(args.out, "--out")
    settings = _database_settings(args)
    ensure_database(settings)
    with make_engine(settings.database_url).connect() as conn:
        report = situation_report(conn, scope, as_of, exact=args.exact,
                                  reference_dir=settings.reference_dir,
                                  generated_on=dt.date.today(), period=period)
    write_output(out, report_pdf(report), "--out")
    version = "version exacte" if args.exact else "version publique"
    print(f"{report.title}, au {format_date(as_of)}, écrit dans {args.out} ({version}"
          + (", données de démonstration" if report.demo else "") + ").")
    return 0


def cmd_export_opendata(args: argparse.Namespace) -> int:
    """The open-data export: monthly workshops per commune (public counts) as CSV, Table
    Schema and Data Package, written to a new folder all at once."""
    from tne_dash.atomic_folder import FolderRefused, check_target, write_folder
    from tne_dash.figures.open_data import monthly_commune_export, package_files
    from tne_dash.store.db import make_engine

    out = Path(args.out)
    date_to = parse_date(args.date_to, "--to") or dt.date.today()
    try:
        check_target(out, args.force)  # before any work
        settings = _database_settings(args)
        ensure_database(settings)
        with make_engine(settings.database_url).connect() as conn:
            export = monthly_commune_export(conn, date_to)
        write_folder(out, package_files(export, dt.datetime.now(dt.UTC)), args.force)
    except FolderRefused as exc:
        raise UsageError(str(exc)) from None
    print(f"Données ouvertes au {format_date(date_to)} écrites dans {out} : "
          f"{len(export.rows)} lignes (commune × mois)"
          + (", données de démonstration" if export.demo else "") + ".")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _database_settings(args, builds_default=True)
    ensure_database(settings)
    prepare_sign_in(settings, args.address, args.port)
    env = dict(os.environ, TNE_DASH_DATABASE_URL=settings.database_url)
    print(f"Tableau de bord : http://{args.address}:{args.port}/", file=sys.stderr)
    return subprocess.call(server_command(settings, args.port, args.address), env=env,
                           cwd=PROJECT_ROOT)


def prepare_sign_in(settings: Settings, address: str, port: int, stream=None) -> str | None:
    """Before the server starts: the cookie secret exists (created on first start, never
    printed), and while there is no account at all, a new one-time link that creates the
    first administrator is printed once. Returns that link (None when accounts exist)."""
    from tne_dash import access, signin

    stream = stream or sys.stderr
    if not settings.session_secret and signin.ensure_secret_file(settings.session_secret_file):
        print(f"Secret des sessions créé : {settings.session_secret_file} (mode 600).",
              file=stream)
    token_path = signin.setup_token_path(settings.accounts_file)
    if access.load_accounts(settings.accounts_file):
        signin.discard_setup_token(token_path)
        return None
    token = signin.create_setup_token(token_path)
    shown = "localhost" if address in ("0.0.0.0", "::", "") else address
    shown = f"[{shown}]" if ":" in shown else shown  # an IPv6 address in a URL
    base = (settings.public_url or f"http://{shown}:{port}").rstrip("/")
    link = f"{base}{signin.FIRST_ADMIN_PATH}?jeton={token}"
    print("\nAucun compte n'existe encore. Pour créer le premier administrateur, ouvrez ce "
          f"lien (valable 24 h, une seule fois) :\n\n    {link}\n", file=stream)
    return link


def server_command(settings: Settings, port: int, address: str) -> list[str]:
    """``streamlit run serve.py``: the app behind its HTTP middleware (security headers),
    uploads capped at the import limit of ``settings``."""
    return [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "serve.py"),
            f"--server.port={port}", f"--server.address={address}",
            f"--server.maxUploadSize={settings.import_max_mb}"]


def cmd_bench(args: argparse.Namespace) -> int:
    from tne_dash.bench import benchmark, render_table

    output = output_file(args.output, "--output")
    settings = _database_settings(args)
    ensure_database(settings)
    result = benchmark(settings.reading_url, points=args.points,
                       progress=lambda page: print(f"… {page}", file=sys.stderr))
    payload = json.dumps(result, indent=2, ensure_ascii=False)
    write_output(output, (payload + "\n").encode("utf-8"), "--output")
    print(payload if args.format == "json" else render_table(result))
    print(f"Résultats JSON écrits dans {args.output}", file=sys.stderr)
    return 0


def _limits(settings: Settings):
    from tne_dash.store.imports.reading import Limits

    return Limits(max_bytes=settings.import_max_mb * 1024 * 1024,
                  max_rows=settings.import_max_rows)


def cmd_import(args: argparse.Namespace) -> int:
    from tne_dash.access import OPERATOR_ROLE, Account
    from tne_dash.store.db import make_engine
    from tne_dash.store.imports.service import import_file

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"Fichier introuvable : {path}")
    settings = _database_settings(args)
    ensure_database(settings)
    engine = make_engine(settings.database_url)
    report = import_file(engine, args.kind, path.name, path.read_bytes(),
                         account=Account(args.user, OPERATOR_ROLE), today=dt.date.today(),
                         now=dt.datetime.now(), limits=_limits(settings), dry_run=args.dry_run)
    print(report.summary())
    for problem in report.problems:
        print(("Avertissement : " if problem.warning else "Erreur : ") + problem.located())
    if not report.refused and not args.dry_run:
        print(f"Journal : import n° {report.batch_id} (annulable : tne-dash undo-import "
              f"{report.batch_id}).")
    return EXIT_REFUSED if report.refused else 0


def cmd_undo_import(args: argparse.Namespace) -> int:
    from tne_dash.access import OPERATOR_ROLE, Account
    from tne_dash.store.db import make_engine
    from tne_dash.store.imports.service import undo_import
    from tne_dash.store.imports.writer import UndoRefused

    settings = _database_settings(args)
    engine = make_engine(settings.database_url)
    try:
        touched = undo_import(engine, args.batch, account=Account(args.user, OPERATOR_ROLE),
                              now=dt.datetime.now())
    except UndoRefused as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Import n° {args.batch} annulé : {touched} ligne(s) retirée(s) ou rétablie(s).")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from tne_dash.store.imports.templates import FILE_NAMES, template_xlsx

    output = output_file(args.output or FILE_NAMES[args.kind], "-o/--output")
    write_output(output, template_xlsx(args.kind), "-o/--output")
    print(f"Modèle écrit : {output}")
    return 0


def cmd_accounts(args: argparse.Namespace) -> int:
    from tne_dash import access

    path = _settings(args).accounts_file
    accounts = access.load_accounts(path)
    if args.action == "list":
        for account in accounts.values():
            print(f"{account.name}\t{account.describe_rights()}\t{account.email}")
        return 0
    if not args.name:
        raise UsageError("Nom du compte manquant (ex. tne-dash accounts add claire …).")
    name = access.normalize_name(args.name)
    if args.action == "remove":
        if accounts.pop(name, None) is None:
            raise UsageError(f"Compte inconnu : {name.encode('unicode_escape').decode()}")
    else:
        problem = access.check_account_name(name)
        if problem:
            raise UsageError(f"Nom de compte refusé : {problem}")
        role = access.Role(args.role)
        departements = frozenset(d.strip().upper() for d in args.departements.split(",")
                                 if d.strip())
        for code in sorted(departements):
            if problem := access.check_departement_code(code):
                raise UsageError(f"--departements : {problem}")
        if role == access.Role.EDITEUR and not departements:
            raise UsageError("Un éditeur a besoin de --departements (ex. 95,86).")
        email = (args.email or "").strip().lower()
        if email and (problem := access.check_email(email)):
            raise UsageError(f"--email : {problem}")
        password = _read_password(args)
        if password or not email:  # an identity-provider account may go without one
            if problem := access.check_password_strength(password, name):
                raise UsageError(f"Mot de passe refusé : {problem}")
        accounts[name] = access.Account(
            name, role, departements, email=email,
            password_hash=access.hash_password(password) if password else "")
    access.save_accounts(path, accounts.values())
    print(f"Comptes enregistrés dans {path}.")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if args.email and not sys.stdin.isatty():
        return ""  # identity-provider account: no local password
    import getpass

    password = getpass.getpass("Mot de passe : ")
    if password != getpass.getpass("Confirmez : "):
        raise UsageError("Les deux mots de passe diffèrent.")
    return password


def cmd_api_token(args: argparse.Namespace) -> int:
    """``create``: a read-API token for an account, printed once (stdout: the token alone);
    ``list``: the tokens, never their value; ``revoke``: refused from the next request."""
    from tne_dash import access
    from tne_dash.api import tokens
    from tne_dash.store.db import make_engine

    settings = _database_settings(args)
    if args.action == "revoke":
        if args.id is None:
            raise UsageError("Numéro du jeton manquant (ex. tne-dash api-token revoke 3 ; "
                             "tne-dash api-token list les donne).")
    elif args.id is not None:
        raise UsageError(f"api-token {args.action} ne prend pas de numéro : seul revoke en "
                         "prend un.")
    name = access.normalize_name(args.compte) if args.compte else None
    if args.action == "create":
        if not name:
            raise UsageError("Compte manquant : --compte NOM (un compte de tne-dash accounts).")
        account = access.load_accounts(settings.accounts_file).get(name)
        if account is None:
            raise UsageError(f"Compte inconnu : « {name.encode('unicode_escape').decode()} » — "
                             "créez-le d'abord (tne-dash accounts add).")
        if not account.sees_exact_counts:
            raise UsageError(f"Le compte « {name} » est lecteur : un jeton ne lui donnerait que "
                             "les chiffres publics, que l'API donne sans jeton.")
        label = " ".join((args.libelle or "").split())
        if len(label) > tokens.MAX_LABEL_LENGTH or not label.isprintable():
            raise UsageError(f"--libelle : au plus {tokens.MAX_LABEL_LENGTH} caractères "
                             "imprimables.")
    ensure_database(settings)
    engine = make_engine(settings.database_url)
    now = dt.datetime.now().replace(microsecond=0)
    if args.action == "create":
        info, token = tokens.create_token(engine, name, label, now)
        print(token)
        print(f"Jeton n° {info.id} créé pour « {name} » ({account.describe_rights()}) : "
              "copiez-le maintenant, il ne sera plus affiché. Envoyez-le dans l'en-tête "
              "« Authorization: Bearer … » des requêtes à /api/v1/….", file=sys.stderr)
        return 0
    if args.action == "revoke":
        info = tokens.revoke_token(engine, args.id, now)
        if info is None:
            raise UsageError(f"Jeton inconnu : n° {args.id} (tne-dash api-token list donne "
                             "les numéros).")
        print(f"Jeton n° {info.id} ({info.prefix}…, compte « {info.account_name} ») révoqué le "
              f"{info.revoked_at:%d/%m/%Y à %H:%M} : il est refusé dès maintenant.")
        return 0
    print("n°\tcompte\tdébut du jeton\tlibellé\tcréé le\tdernier usage\tétat")
    for info in tokens.list_tokens(engine, name):
        used = f"{info.last_used_at:%d/%m/%Y %H:%M}" if info.last_used_at else "jamais"
        state = "actif" if info.active else f"révoqué le {info.revoked_at:%d/%m/%Y %H:%M}"
        print(f"{info.id}\t{info.account_name}\t{info.prefix}…\t{info.label}\t"
              f"{info.created_at:%d/%m/%Y %H:%M}\t{used}\t{state}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="tne-dash",
        description="Tableau de bord du volet parentalité des Territoires Numériques Éducatifs.",
    )
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="En cas d'erreur de la base, écrire aussi son détail (trace) sur "
                             "la sortie d'erreur.")
    sub = parser.add_subparsers(dest="command", metavar="commande", required=True)

    init = sub.add_parser("init-db", help="Construire la base (référence + démonstration).")
    init.add_argument("--demo", dest="demo", action="store_true", default=None,
                      help="Générer l'activité de démonstration (par défaut).")
    init.add_argument("--no-demo", dest="demo", action="store_false",
                      help="Référence seule, sans activité de démonstration.")
    init.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    init.add_argument("--force", action="store_true", help="Reconstruire une base existante.")
    init.add_argument("--scale", choices=SCALES, default=TNE_SCALE,
                      help="tne : démonstration des 12 départements TNE (par défaut) ; "
                      "national : toute la France, un million d'ateliers (banc d'essai).")
    init.set_defaults(handler=cmd_init_db)

    dbp = sub.add_parser("db", help="Schéma de la base : migrations Alembic.")
    dbp.add_argument("action", choices=["upgrade", "current", "revision"],
                     help="upgrade : migrer à la dernière révision ; current : révision "
                     "actuelle ; revision : (développeurs) écrire la migration des changements "
                     "de models.py.")
    dbp.add_argument("--message", "-m", help="Titre de la nouvelle migration (revision).")
    dbp.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    dbp.set_defaults(handler=cmd_db)

    ind = sub.add_parser("indicators", help="Afficher les indicateurs d'un périmètre.")
    ind.add_argument("--scope", help="national, tne, departement:CODE ou commune:INSEE")
    ind.add_argument("--query", help="Lien (ou ses paramètres) copié de la page Indicateurs : "
                                     "mêmes filtres, mêmes chiffres ; avec par=departement, "
                                     "epci ou commune, aussi un bloc par territoire.")
    ind.add_argument("--from", dest="date_from", help="Début de période (AAAA-MM-JJ, inclus).")
    ind.add_argument("--to", dest="date_to", help="Fin de période (AAAA-MM-JJ, incluse).")
    ind.add_argument("--format", choices=("table", "csv", "json"), default="table")
    ind.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    ind.set_defaults(handler=cmd_indicators)

    obj = sub.add_parser("objectives", help="Objectifs d'un périmètre : cible, réalisé, statut.")
    obj.add_argument("--scope", required=True,
                     help="national, tne, departement:CODE ou commune:INSEE")
    obj.add_argument("--annee", help="Année scolaire des objectifs (AAAA-AAAA ; par défaut "
                                     "celle de --date).")
    obj.add_argument("--date", help="Date de la situation (AAAA-MM-JJ ; par défaut "
                                    "aujourd'hui).")
    obj.add_argument("--format", choices=("table", "csv", "json"), default="table")
    obj.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    obj.set_defaults(handler=cmd_objectives)

    vig = sub.add_parser("vigilance", help="Points de vigilance d'un périmètre à une date : "
                                           "raison chiffrée et lien vers la page.")
    vig.add_argument("--scope", required=True,
                     help="national, tne, departement:CODE ou commune:INSEE")
    vig.add_argument("--to", dest="date_to", help="Date de la situation (AAAA-MM-JJ ; par "
                                                  "défaut aujourd'hui).")
    vig.add_argument("--format", choices=("table", "csv", "json"), default="table")
    vig.add_argument("--public", action="store_true",
                     help="Effectifs comme dans les vues publiques (arrondis à 5, « < 5 ») ; "
                          "par défaut exacts.")
    vig.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    vig.set_defaults(handler=cmd_vigilance)

    fiche = sub.add_parser("fiche", help="Écrire la fiche PDF d'une commune (A4, une page).")
    fiche.add_argument("--commune", required=True, help="Code INSEE de la commune.")
    fiche.add_argument("--out", required=True, help="Fichier PDF à écrire.")
    fiche.add_argument("--avec", help="Communes comparées, codes INSEE séparés par des "
                                      "virgules (par défaut les 2 plus comparables).")
    fiche.add_argument("--date", help="Date de la situation (AAAA-MM-JJ ; par défaut "
                                      "aujourd'hui).")
    fiche.add_argument("--annee", help="Année scolaire (AAAA-AAAA ; par défaut depuis le "
                                       "début du programme).")
    fiche.add_argument("--exact", action="store_true",
                       help="Effectifs exacts (par défaut, 1 à 4 personnes lus « < 5 », "
                            "comme dans les vues publiques).")
    fiche.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    fiche.set_defaults(handler=cmd_fiche)

    rapport = sub.add_parser("rapport", help="Écrire le rapport de situation PDF d'un "
                                             "département, des 12 départements TNE ou de la "
                                             "France (A4, 2 à 4 pages).")
    rapport.add_argument("--scope", required=True,
                         help="departement:CODE, tne ou national (une commune a sa fiche : "
                              "tne-dash fiche).")
    rapport.add_argument("--to", dest="date_to", help="Date de la situation (AAAA-MM-JJ ; par "
                                                      "défaut aujourd'hui).")
    rapport.add_argument("--out", required=True, help="Fichier PDF à écrire.")
    rapport.add_argument("--annee", help="Année scolaire des objectifs (AAAA-AAAA ; par défaut "
                                         "celle de --to).")
    rapport.add_argument("--public", action="store_true",
                         help="Version publique (par défaut) : effectifs de personnes d'une "
                              "commune arrondis à 5, de 1 à 4 lus « < 5 ».")
    rapport.add_argument("--exact", action="store_true",
                         help="Version exacte, pour les opérateurs : effectifs exacts, même "
                              "petits (à ne pas diffuser).")
    rapport.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    rapport.set_defaults(handler=cmd_rapport)

    opendata = sub.add_parser("export-opendata", help="Écrire les données ouvertes : ateliers "
                                                      "par commune et par mois (CSV, schéma, "
                                                      "datapackage.json).")
    opendata.add_argument("--out", required=True, help="Dossier à écrire (nouveau ou vide).")
    opendata.add_argument("--to", dest="date_to", help="Fin de période (AAAA-MM-JJ, incluse ; "
                                                       "par défaut aujourd'hui).")
    opendata.add_argument("--force", action="store_true",
                          help="Remplacer le contenu d'un dossier qui n'est pas vide.")
    opendata.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    opendata.set_defaults(handler=cmd_export_opendata)

    run = sub.add_parser("run", help="Lancer le tableau de bord (construit la base au besoin).")
    run.add_argument("--port", type=port_number, default=8501,
                     help="Port TCP du tableau de bord (1 à 65535, défaut : 8501).")
    run.add_argument("--address", default="localhost")
    run.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    run.set_defaults(handler=cmd_run)
    bench = sub.add_parser(
        "bench", help="Mesurer chaque page (à chaud, à froid, plancher SQL), la carte, la mémoire.")
    bench.add_argument("--points", type=positive_int, default=20_000)
    bench.add_argument("--format", choices=("table", "json"), default="table")
    bench.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    bench.add_argument("--output", default="bench.json",
                       help="Fichier JSON des résultats (défaut : bench.json).")
    bench.set_defaults(handler=cmd_bench)

    kinds = ("workshops", "coop", "parents-ressources", "objectives")
    imp = sub.add_parser("import", help="Importer un fichier (validé entièrement, tout ou rien).")
    imp.add_argument("kind", choices=kinds, metavar="type",
                     help="Ce que contient le fichier : " + ", ".join(kinds) + ".")
    imp.add_argument("file", metavar="fichier",
                     help="Fichier CSV ou XLSX (export XLSX pour la Coop).")
    imp.add_argument("--dry-run", action="store_true",
                     help="Valider et compter sans rien enregistrer.")
    imp.add_argument("--user", default=os.environ.get("USER") or "operateur",
                     help="Nom inscrit au journal des imports.")
    imp.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    imp.set_defaults(handler=cmd_import)

    undo = sub.add_parser("undo-import", help="Annuler un import du journal.")
    undo.add_argument("batch", type=positive_int, metavar="numéro",
                      help="Numéro de l'import (journal).")
    undo.add_argument("--user", default=os.environ.get("USER") or "operateur")
    undo.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    undo.set_defaults(handler=cmd_undo_import)

    tpl = sub.add_parser("template", help="Écrire un modèle XLSX à remplir.")
    models = ("workshops", "parents-ressources", "objectives")
    tpl.add_argument("kind", choices=models, metavar="type",
                     help="Le modèle : " + ", ".join(models) + ".")
    tpl.add_argument("-o", "--output", help="Fichier à écrire (par défaut modele_….xlsx).")
    tpl.set_defaults(handler=cmd_template)

    acc = sub.add_parser("accounts", help="Gérer les comptes locaux (éditeurs, admins).")
    acc.add_argument("action", choices=("add", "list", "remove"),
                     help="add : créer ou modifier un compte ; list : les comptes ; remove : "
                          "supprimer un compte.")
    acc.add_argument("name", nargs="?", metavar="nom", help="Nom du compte (add, remove).")
    acc.add_argument("--role", choices=("lecteur", "editeur", "admin"), default="editeur")
    acc.add_argument("--departements", default="", help="Codes séparés par des virgules.")
    acc.add_argument("--email", help="E-mail du fournisseur d'identité (connexion OIDC).")
    acc.add_argument("--password-stdin", action="store_true",
                     help="Lire le mot de passe sur l'entrée standard (scripts).")
    acc.set_defaults(handler=cmd_accounts)

    tok = sub.add_parser("api-token", help="Jetons de l'API de lecture : effectifs exacts des "
                                           "départements d'un compte (/api/v1/…).")
    tok.add_argument("action", choices=("create", "list", "revoke"),
                     help="create : créer un jeton (affiché une seule fois) ; list : les "
                          "jetons, jamais leur valeur ; revoke : révoquer le jeton ID.")
    tok.add_argument("id", nargs="?", type=positive_int, metavar="numéro",
                     help="Numéro du jeton (revoke).")
    tok.add_argument("--compte", help="Compte du jeton (create) ; ses jetons seulement (list).")
    tok.add_argument("--libelle", help="À quoi sert le jeton (ex. « tableur de la DRANE »).")
    tok.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    tok.set_defaults(handler=cmd_api_token)
    for command in sub.choices.values():  # « tne-dash indicators … --verbose » works too
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                             help="En cas d'erreur de la base, écrire aussi son détail "
                                  "(trace) sur la sortie d'erreur.")
    return parser


def database_error_message(exc: SQLAlchemyError) -> str:
    """« Erreur de la base de données : … » in one line: the driver's own words when there
    are some (no SQL, no parameters), else the error's first line."""
    cause = getattr(exc, "orig", None) or exc
    detail = " ".join(str(cause).split()) or type(cause).__name__
    return f"Erreur de la base de données : {detail[:300]}"


def _log_detail(exc: BaseException) -> None:
    """``--verbose``: the error's whole story (SQL, trace) on stderr, through logging."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s : %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        log.error("Détail de l'erreur de la base de données :", exc_info=exc)
    finally:
        log.removeHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tne-dash`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except Exception as exc:
        code = refusal(exc, args)
        if code is None:
            raise
        return code


def refusal(exc: Exception, args: argparse.Namespace) -> int | None:
    """An error the operator can act on: its French line on stderr, and the exit code; None
    for any other error (``main`` raises it again, trace and all). The error classes are
    imported only when something went wrong, so that the light commands (``--help``,
    ``accounts``, ``template``) never load SQLAlchemy or pandas."""
    from sqlalchemy.exc import SQLAlchemyError

    from tne_dash.access import AccountsFileError
    from tne_dash.figures.scope import InvalidScope
    from tne_dash.store.db import DatabaseUnavailable
    from tne_dash.store.reference import ReferenceDataError

    if isinstance(exc, UsageError | InvalidScope):
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, DatabaseUnavailable):  # the operator sees which address (password hidden)
        print(f"Erreur : {getattr(exc, 'detail', None) or exc}", file=sys.stderr)
        return EXIT_REFUSED
    if isinstance(exc, ReferenceDataError | AccountsFileError):
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if isinstance(exc, SQLAlchemyError):
        if getattr(args, "verbose", False):
            _log_detail(exc)
        print(database_error_message(exc), file=sys.stderr)
        return EXIT_REFUSED
    return None


if __name__ == "__main__":
    sys.exit(main())
