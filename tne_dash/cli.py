"""The ``tne-dash`` command: build the database, print indicators, run the app."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tne_dash import PROJECT_ROOT
from tne_dash.access import AccountsFileError
from tne_dash.catalogue import CATALOGUE
from tne_dash.config import Settings
from tne_dash.figures.comparison import (
    MAX_SELECTED,
    commune_profiles,
    compare_communes,
    default_selection,
)
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import IndicatorValues, compute_indicators
from tne_dash.figures.objectives import Status, objectives_progress
from tne_dash.figures.objectives_table import objectives_frame, objectives_summary
from tne_dash.figures.scope import COMMUNE, InvalidScope, Scope, check_scope_exists, scope_label
from tne_dash.labels import format_date, format_value
from tne_dash.periods import parse_period, school_year_of
from tne_dash.screens.comparer.fiche import fiche_pdf
from tne_dash.screens.comparer.tables import commune_columns
from tne_dash.screens.indicateurs.view import parse_indicateurs_view, query_params_of
from tne_dash.store import queries
from tne_dash.store.build import SCALES, TNE_SCALE, build_database
from tne_dash.store.db import (
    DatabaseUnavailable,
    check_connection,
    head_revision,
    is_built,
    make_engine,
    new_revision,
    redact_url,
    schema_revision,
    upgrade_schema,
)
from tne_dash.store.reference import ReferenceDataError

EXIT_REFUSED = 1
EXIT_USAGE = 2


class UsageError(ValueError):
    """Bad command-line input; the message is one French line."""


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


def cmd_init_db(args: argparse.Namespace) -> int:
    settings = _settings(args)
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
    if args.action == "revision":
        path = new_revision(args.message or "schema change")
        print(f"Nouvelle migration : {path} — relisez-la avant de la committer.")
        return 0
    engine = make_engine(_settings(args).database_url)
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
    engine = make_engine(settings.database_url)
    if not is_built(engine):
        print("Première utilisation : construction de la base de données…", file=sys.stderr)
        build_database(engine, settings.reference_dir, demo=settings.demo,
                       progress=progress_bar)
    engine.dispose()


def indicator_payload(values: IndicatorValues) -> dict:
    """The JSON object of ``tne-dash indicators --format json``."""
    return {
        "scope": str(values.scope),
        "from": values.filters.date_from.isoformat() if values.filters.date_from else None,
        "to": values.filters.date_to.isoformat() if values.filters.date_to else None,
        "indicators": values.values,
        "demo": values.demo,
    }


def render_indicators(values: IndicatorValues, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(indicator_payload(values), ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "libelle", "valeur", "unite"])
        for code, value in values.values.items():
            ind = CATALOGUE[code]
            writer.writerow([code, ind.label, "" if value is None else value, ind.unit])
        return out.getvalue().rstrip("\n")
    width = max(len(CATALOGUE[c].label) for c in values.values)
    lines = [f"Périmètre : {values.scope}" + (" — données de démonstration" if values.demo
                                                else "")]
    for code, value in values.values.items():
        ind = CATALOGUE[code]
        lines.append(f"{ind.label:<{width}}  {format_value(value, ind.unit, ind.decimals):>14}"
                     f"  {code}")
    return "\n".join(lines)


def cmd_indicators(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.query:
        if args.scope or args.date_from or args.date_to:
            raise UsageError("--query porte déjà le territoire et la période : n'ajoutez ni "
                             "--scope, ni --from, ni --to.")
        ensure_database(settings)
        with make_engine(settings.database_url).connect() as conn:
            view = parse_indicateurs_view(
                query_params_of(args.query), dt.date.today(),
                set(queries.departements(conn)["code"]),
                set(queries.all_communes(conn)["code_insee"]))
            if view.problems:
                raise UsageError(" ".join(view.problems))
            values = compute_indicators(conn, view.scope, view.filters)
        print(render_indicators(values, args.format))
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
    scope = Scope.parse(args.scope)
    as_of = parse_date(args.date, "--date") or dt.date.today()
    try:
        period = parse_period(args.annee) if args.annee else school_year_of(as_of)
    except ValueError:
        raise UsageError(f"Année scolaire invalide : « {args.annee} » — attendu AAAA-AAAA "
                         "(ex. 2022-2023).") from None
    settings = _settings(args)
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


def cmd_fiche(args: argparse.Namespace) -> int:
    as_of = parse_date(args.date, "--date") or dt.date.today()
    try:
        period = parse_period(args.annee) if args.annee else None
    except ValueError:
        raise UsageError(f"Année scolaire invalide : « {args.annee} » — attendu AAAA-AAAA "
                         "(ex. 2022-2023).") from None
    code = args.commune.strip().upper()
    others = tuple(c.strip().upper() for c in (args.avec or "").split(",") if c.strip())
    settings = _settings(args)
    ensure_database(settings)
    with make_engine(settings.database_url).connect() as conn:
        for insee in (code, *others):
            check_scope_exists(conn, Scope(COMMUNE, insee))
        codes = tuple(dict.fromkeys((code, *others)))[:MAX_SELECTED]
        if not others:
            codes = default_selection(commune_profiles(conn), (code,))
        comp = compare_communes(conn, codes, period, as_of)
    Path(args.out).write_bytes(fiche_pdf(comp, args.exact, dt.date.today()))
    print(f"Fiche de {commune_columns(comp)[0]} écrite dans {args.out}"
          + (" (données de démonstration)" if comp.demo else "") + ".")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    ensure_database(settings)
    env = dict(os.environ, TNE_DASH_DATABASE_URL=settings.database_url)
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
               f"--server.port={args.port}", f"--server.address={args.address}"]
    print(f"Tableau de bord : http://{args.address}:{args.port}/", file=sys.stderr)
    return subprocess.call(command, env=env, cwd=PROJECT_ROOT)


def cmd_bench(args: argparse.Namespace) -> int:
    from tne_dash.bench import benchmark, render_table

    settings = _settings(args)
    ensure_database(settings)
    result = benchmark(settings.database_url, points=args.points,
                       progress=lambda page: print(f"… {page}", file=sys.stderr))
    payload = json.dumps(result, indent=2, ensure_ascii=False)
    Path(args.output).write_text(payload + "\n", encoding="utf-8")
    print(payload if args.format == "json" else render_table(result))
    print(f"Résultats JSON écrits dans {args.output}", file=sys.stderr)
    return 0


def _limits(settings: Settings):
    from tne_dash.store.imports.reading import Limits

    return Limits(max_bytes=settings.import_max_mb * 1024 * 1024,
                  max_rows=settings.import_max_rows)


def cmd_import(args: argparse.Namespace) -> int:
    from tne_dash.access import OPERATOR_ROLE, Account
    from tne_dash.store.imports.service import import_file

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"Fichier introuvable : {path}")
    settings = _settings(args)
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
    from tne_dash.store.imports.service import undo_import
    from tne_dash.store.imports.writer import UndoRefused

    settings = _settings(args)
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

    output = Path(args.output or FILE_NAMES[args.kind])
    output.write_bytes(template_xlsx(args.kind))
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
    if args.action == "remove":
        if accounts.pop(args.name, None) is None:
            raise UsageError(f"Compte inconnu : {args.name}")
    else:
        role = access.Role(args.role)
        departements = frozenset(d.strip().upper() for d in args.departements.split(",")
                                 if d.strip())
        if role == access.Role.EDITEUR and not departements:
            raise UsageError("Un éditeur a besoin de --departements (ex. 95,86).")
        password = _read_password(args)
        accounts[args.name] = access.Account(
            args.name, role, departements, email=(args.email or "").lower(),
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tne-dash",
        description="Tableau de bord du volet parentalité des Territoires Numériques Éducatifs.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

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
                                     "mêmes filtres, mêmes chiffres.")
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

    run = sub.add_parser("run", help="Lancer le tableau de bord (construit la base au besoin).")
    run.add_argument("--port", type=int, default=8501)
    run.add_argument("--address", default="localhost")
    run.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    run.set_defaults(handler=cmd_run)
    bench = sub.add_parser(
        "bench", help="Mesurer chaque page (à chaud, à froid, plancher SQL), la carte, la mémoire.")
    bench.add_argument("--points", type=int, default=20_000)
    bench.add_argument("--format", choices=("table", "json"), default="table")
    bench.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    bench.add_argument("--output", default="bench.json",
                       help="Fichier JSON des résultats (défaut : bench.json).")
    bench.set_defaults(handler=cmd_bench)

    kinds = ("workshops", "coop", "parents-ressources", "objectives")
    imp = sub.add_parser("import", help="Importer un fichier (validé entièrement, tout ou rien).")
    imp.add_argument("kind", choices=kinds)
    imp.add_argument("file", help="Fichier CSV ou XLSX (export XLSX pour la Coop).")
    imp.add_argument("--dry-run", action="store_true",
                     help="Valider et compter sans rien enregistrer.")
    imp.add_argument("--user", default=os.environ.get("USER") or "operateur",
                     help="Nom inscrit au journal des imports.")
    imp.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    imp.set_defaults(handler=cmd_import)

    undo = sub.add_parser("undo-import", help="Annuler un import du journal.")
    undo.add_argument("batch", type=int, help="Numéro de l'import (journal).")
    undo.add_argument("--user", default=os.environ.get("USER") or "operateur")
    undo.add_argument("--database-url", help="URL SQLAlchemy (sinon TNE_DASH_DATABASE_URL).")
    undo.set_defaults(handler=cmd_undo_import)

    tpl = sub.add_parser("template", help="Écrire un modèle XLSX à remplir.")
    tpl.add_argument("kind", choices=("workshops", "parents-ressources", "objectives"))
    tpl.add_argument("-o", "--output", help="Fichier à écrire (par défaut modele_….xlsx).")
    tpl.set_defaults(handler=cmd_template)

    acc = sub.add_parser("accounts", help="Gérer les comptes locaux (éditeurs, admins).")
    acc.add_argument("action", choices=("add", "list", "remove"))
    acc.add_argument("name", nargs="?")
    acc.add_argument("--role", choices=("lecteur", "editeur", "admin"), default="editeur")
    acc.add_argument("--departements", default="", help="Codes séparés par des virgules.")
    acc.add_argument("--email", help="E-mail du fournisseur d'identité (connexion OIDC).")
    acc.add_argument("--password-stdin", action="store_true",
                     help="Lire le mot de passe sur l'entrée standard (scripts).")
    acc.set_defaults(handler=cmd_accounts)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tne-dash`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (UsageError, InvalidScope) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (DatabaseUnavailable, ReferenceDataError, AccountsFileError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
