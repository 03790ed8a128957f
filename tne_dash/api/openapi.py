"""The OpenAPI 3.1 description of the read API, written by hand (served at
``/api/v1/openapi.json``, excerpted in the README). ``tests/test_api.py`` checks that it
names exactly the routes and parameters the code accepts, and the values of every list."""

from __future__ import annotations

_FLAG = {"type": "string", "enum": ["1", "0", "oui", "non", "true", "false"]}
_DATE = {"type": "string", "format": "date", "examples": ["2023-04-17"]}
_CODES = {"type": "array", "items": {"type": "string"}}


def _list(values: list[str]) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": values}}


def _query(name: str, description: str, schema: dict, example: str | None = None) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "description": description,
                 "schema": schema}
    if schema.get("type") == "array":
        parameter |= {"style": "form", "explode": False}  # a,b,c
    if example is not None:
        parameter["example"] = example
    return parameter


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _answer(description: str, schema: str, csv: bool = True) -> dict:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    return {"description": description, "content": content,
            "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}}}


_ERRORS = {status: {"$ref": f"#/components/responses/{name}"} for status, name in (
    ("400", "ParametreRefuse"), ("401", "JetonRefuse"), ("405", "MethodeRefusee"),
    ("429", "TropDeRequetes"), ("500", "ErreurInterne"), ("503", "BaseIndisponible"))}

_INDICATEURS_DESCRIPTION = (
    "Les chiffres de la page Indicateurs pour les mêmes paramètres (copiez l'adresse de la "
    "page, remplacez « /indicateurs » par « /api/v1/indicateurs ») : mêmes valeurs que la "
    "page et que « tne-dash indicators --query ». `indicators` : le total (chaque code du "
    "catalogue ; null quand il ne s'applique pas, raison dans `non_applicables`) ; avec `par`, "
    "`groupes` donne un bloc par territoire. `filtres` : les filtres tels que compris (et "
    "`lien` : l'adresse de la page qui montre ces chiffres) ; `demo` : des données de "
    "démonstration y contribuent ; `sources` : le millésime de chaque source ; `masquage` : "
    "la règle des petits effectifs et les indicateurs arrondis. Sans jeton, les effectifs de "
    "personnes d'une commune sont arrondis à 5 (de 1 à 4 : « < 5 ») comme sur les pages ; un "
    "jeton d'éditeur donne les effectifs exacts de ses départements (d'administrateur : "
    "partout).")

OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Tableau de bord TNE parentalité — API de lecture",
        "version": "1.0.0",
        "description": (
            "Les chiffres du volet parentalité des Territoires Numériques Éducatifs, en JSON ou "
            "en CSV (`format=csv` ou `sortie=csv`), servis par le tableau de bord lui-même. "
            "Publique : les petits effectifs d'une commune sont masqués comme sur les pages. Un "
            "jeton (`Authorization: Bearer …`, donné par `tne-dash api-token create`) donne à un "
            "éditeur les effectifs exacts de ses départements. Chaque refus est un objet JSON "
            "avec un message en français (`erreur`) et un code 4xx ; le nombre de requêtes par "
            "client et par minute est limité (429 et `Retry-After` au-delà)."),
        "license": {"name": "Licence Ouverte / Etalab 2.0",
                    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
    },
    "servers": [{"url": "/", "description": "le tableau de bord qui sert cette description"}],
    "security": [{}, {"jeton": []}],
    "paths": {
        "/api/v1/indicateurs": {"get": {
            "operationId": "indicateurs",
            "summary": "Indicateurs d'un territoire et d'une période, avec les filtres de la "
                       "page Indicateurs",
            "description": _INDICATEURS_DESCRIPTION,
            "parameters": [_ref(name) for name in (
                "from", "to", "dep", "communes", "phase", "lieu", "format", "theme",
                "animateur", "niveau", "rep", "demo", "par", "sortie")],
            "responses": {"200": _answer("Les indicateurs (JSON, ou CSV avec format=csv : "
                                         "code, libelle, valeur, unite ; groupe et nom en "
                                         "tête avec par).", "Indicateurs"), **_ERRORS},
        }},
        "/api/v1/territoires": {"get": {
            "operationId": "territoires",
            "summary": "Départements et communes : codes et noms",
            "description": "Chaque département (code, nom, cohorte TNE) et les communes "
                           "(code INSEE, nom, département, population, EPCI) ; avec `dep`, "
                           "ceux de ces départements seulement. Le CSV donne les communes.",
            "parameters": [_ref("dep"), _ref("format_sortie"), _ref("sortie")],
            "responses": {"200": _answer("Les territoires.", "Territoires"), **_ERRORS},
        }},
        "/api/v1/vigilance": {"get": {
            "operationId": "vigilance",
            "summary": "Points de vigilance d'un territoire à une date",
            "description": "Les points de vigilance comme `tne-dash vigilance --format json` "
                           "(mêmes objets) : chaque point dit sa règle, sa gravité, sa phrase "
                           "chiffrée et le lien de la vue qui le montre. Sans jeton, les "
                           "effectifs d'une commune cités sont ceux du public (arrondis à 5).",
            "parameters": [_ref("scope"), _ref("to_vigilance"), _ref("format_sortie"),
                           _ref("sortie")],
            "responses": {"200": _answer("Les points de vigilance (JSON, ou CSV avec "
                                         "format=csv : en-têtes en français).", "Vigilance"),
                          **_ERRORS},
        }},
        "/api/v1/openapi.json": {"get": {
            "operationId": "description",
            "summary": "Cette description (OpenAPI 3.1)",
            "security": [{}],
            "responses": {"200": {"description": "La description de l'API.",
                                  "content": {"application/json": {"schema": {
                                      "type": "object"}}}},
                          "400": _ERRORS["400"], "405": _ERRORS["405"],
                          "429": _ERRORS["429"]},
        }},
    },
    "components": {
        "securitySchemes": {"jeton": {
            "type": "http", "scheme": "bearer",
            "description": "Jeton d'API d'un compte (tne-dash api-token create --compte NOM) : "
                           "effectifs exacts des départements de ce compte."}},
        "parameters": {
            "from": _query("from", "Début de la période (AAAA-MM-JJ, inclus). Par défaut, le "
                           "début de l'année scolaire en cours.", _DATE, "2022-09-01"),
            "to": _query("to", "Fin de la période (AAAA-MM-JJ, incluse). Par défaut, "
                         "aujourd'hui.", _DATE, "2023-04-17"),
            "dep": _query("dep", "Départements, codes séparés par des virgules. Sans dep ni "
                          "communes : les 12 départements TNE.", _CODES, "95,86"),
            "communes": _query("communes", "Communes, codes INSEE séparés par des virgules "
                               "(leurs effectifs de personnes suivent la règle publique).",
                               _CODES, "95063"),
            "phase": _query("phase", "Phases du programme de la commune au moment de "
                            "l'atelier.", _list(["acculturation", "parents_ressources",
                                                 "autonomie"])),
            "lieu": _query("lieu", "Types de lieu d'atelier.", _list([
                "ecole", "college", "lycee", "centre_social", "mediatheque", "france_services",
                "salle_municipale", "mds", "tiers_lieu", "evenement", "autre"])),
            "format": _query("format", "Formats d'atelier (le filtre de la page), ou le format "
                             "de la réponse : format=csv (ou json). Pour les deux à la fois : "
                             "sortie=csv&format=atelier_collectif.", _list([
                                 "atelier_collectif", "atelier_parent_enfant",
                                 "cafe_des_parents", "stand_evenement", "permanence",
                                 "accompagnement_individuel", "csv", "json"])),
            "format_sortie": _query("format", "Format de la réponse : json (par défaut) ou "
                                    "csv (comme sortie).",
                                    {"type": "string", "enum": ["json", "csv"],
                                     "default": "json"}, "csv"),
            "theme": _query("theme", "Thèmes d'atelier (un atelier à deux thèmes compte dans "
                            "chacun).", _list([
                                "ent", "franceconnect", "messagerie", "prise_en_main",
                                "ecrans_controle_parental", "identite_numerique",
                                "ressources_educatives", "suivi_scolarite",
                                "orientation_bourses", "pix", "codage", "parentalite"])),
            "animateur": _query("animateur", "Qui anime l'atelier.", _list([
                "cnfs", "parent_ressource", "school_staff", "partner"])),
            "niveau": _query("niveau", "Niveau scolaire des établissements (ecole : maternelle "
                             "et élémentaire).", _list(["ecole", "college", "lycee"])),
            "rep": _query("rep", "1 : communes ayant au moins une école ou un collège "
                          "REP/REP+ seulement.", _FLAG, "1"),
            "demo": _query("demo", "0 : sans les données de démonstration (par défaut 1).",
                           _FLAG, "0"),
            "par": _query("par", "Regrouper aussi par territoire : un bloc par département, "
                          "intercommunalité ou commune dans `groupes` (par=commune : au plus "
                          "5 000 communes par requête).",
                          {"type": "string", "enum": ["departement", "epci", "commune"]},
                          "departement"),
            "sortie": _query("sortie", "Format de la réponse : json (par défaut) ou csv.",
                             {"type": "string", "enum": ["json", "csv"], "default": "json"},
                             "csv"),
            "scope": _query("scope", "Territoire : national, tne (par défaut), "
                            "departement:CODE ou commune:INSEE.",
                            {"type": "string", "default": "tne",
                             "pattern": r"^(national|tne|departement:(\d{2}|2[AB]|97\d)|"
                                        r"commune:(\d{5}|2[AB]\d{3}))$"},
                            "departement:95"),
            "to_vigilance": _query("to", "Date de la situation (AAAA-MM-JJ). Par défaut, "
                                   "aujourd'hui.", _DATE, "2023-04-17"),
        },
        "headers": {"Cache-Control": {
            "description": "public, max-age=… sans jeton ; private, no-store avec un jeton.",
            "schema": {"type": "string"}}},
        "responses": {
            "ParametreRefuse": {"description": "Paramètre inconnu, répété, trop long ou "
                                               "valeur invalide : le message le nomme.",
                                "content": {"application/json": {"schema": {
                                    "$ref": "#/components/schemas/Erreur"}}}},
            "JetonRefuse": {"description": "Jeton inconnu, révoqué, ou son compte supprimé ; "
                                           "en-tête Authorization illisible.",
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/Erreur"}}}},
            "MethodeRefusee": {"description": "Autre méthode que GET ou HEAD.",
                               "headers": {"Allow": {"schema": {"type": "string"}}},
                               "content": {"application/json": {"schema": {
                                   "$ref": "#/components/schemas/Erreur"}}}},
            "TropDeRequetes": {"description": "Trop de requêtes de ce client dans la minute.",
                               "headers": {"Retry-After": {
                                   "description": "Secondes à attendre.",
                                   "schema": {"type": "integer"}}},
                               "content": {"application/json": {"schema": {
                                   "$ref": "#/components/schemas/Erreur"}}}},
            "ErreurInterne": {"description": "Erreur inattendue (détail dans le journal du "
                                             "serveur, jamais dans la réponse).",
                              "content": {"application/json": {"schema": {
                                  "$ref": "#/components/schemas/Erreur"}}}},
            "BaseIndisponible": {"description": "Base de données injoignable ou pas encore "
                                                "construite.",
                                 "content": {"application/json": {"schema": {
                                     "$ref": "#/components/schemas/Erreur"}}}},
        },
        "schemas": {
            "Erreur": {"type": "object", "required": ["erreur", "statut"], "properties": {
                "erreur": {"type": "string", "description": "Le message, en français.",
                           "examples": ["Paramètre « dep » refusé : Département inconnu(e) "
                                        "dans l'adresse : code « ZZ »."]},
                "statut": {"type": "integer", "description": "Le code HTTP."},
                "parametre": {"type": "string", "description": "Le paramètre refusé."}}},
            "Valeurs": {"type": "object", "description": "Code d'indicateur du catalogue → "
                        "valeur (nombre ; « < 5 » pour un petit effectif masqué ; null quand "
                        "il ne s'applique pas).",
                        "additionalProperties": {"type": ["number", "string", "null"]}},
            "Indicateurs": {"type": "object", "required": [
                "scope", "from", "to", "indicators", "demo", "filtres", "masquage", "acces",
                "sources"], "properties": {
                "scope": {"type": "string", "examples": ["national"]},
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "indicators": {"$ref": "#/components/schemas/Valeurs"},
                "demo": {"type": "boolean"},
                "non_filtres": {"type": "object", "additionalProperties": {"type": "string"}},
                "non_applicables": {"type": "object",
                                    "additionalProperties": {"type": "string"}},
                "par": {"type": "string"},
                "groupes": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string"}, "nom": {"type": "string"},
                    "indicators": {"$ref": "#/components/schemas/Valeurs"},
                    "demo": {"type": "boolean"},
                    "arrondis": {"type": "array", "items": {"type": "string"}}}}},
                "filtres": {"type": "object", "description": "Les filtres tels que compris, "
                            "les noms des territoires choisis et le lien de la page."},
                "masquage": {"type": "object", "properties": {
                    "regle": {"type": "string"}, "effectifs_exacts": {"type": "boolean"},
                    "arrondis": {"type": "array", "items": {"type": "string"}}}},
                "acces": {"type": "object", "properties": {
                    "jeton": {"type": "boolean"}, "compte": {"type": "string"},
                    "droits": {"type": "string"}}},
                "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}},
                "base": {"type": "object"}}},
            "Source": {"type": "object", "properties": {
                "donnees": {"type": "string"}, "fichier": {"type": "string"},
                "millesime": {"type": "string"}, "licence": {"type": "string"}}},
            "Territoires": {"type": "object", "properties": {
                "departements": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string"}, "nom": {"type": "string"},
                    "tne": {"type": "boolean"}, "cohorte_tne": {"type": ["string", "null"]}}}},
                "communes": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string"}, "nom": {"type": "string"},
                    "departement": {"type": "string"}, "population": {"type": "integer"},
                    "epci": {"type": ["string", "null"]},
                    "nom_epci": {"type": ["string", "null"]}}}},
                "filtres": {"type": "object"},
                "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}},
                "base": {"type": "object"}}},
            "Vigilance": {"type": "object", "properties": {
                "scope": {"type": "string"}, "territoire": {"type": "string"},
                "to": {"type": "string", "format": "date"}, "annee": {"type": "string"},
                "exact": {"type": "boolean"}, "demo": {"type": "boolean"},
                "points": {"type": "array", "items": {"type": "object", "properties": {
                    "level": {"type": "string"}, "code": {"type": "string"},
                    "name": {"type": "string"}, "rule": {"type": "string"},
                    "severity": {"type": "integer"}, "sentence": {"type": "string"},
                    "link": {"type": "string"}}}},
                "masquage": {"type": "object"}, "acces": {"type": "object"}}},
        },
    },
}
