"""The card as one self-contained HTML page: ``lang="fr"``, a ``<title>``, an ``<h2>`` (it
sits inside another site's page), inline CSS only — no script, no font, no image, no request
of any kind —, readable from 300 px wide and at 200 % zoom (the figures flow into one
column), contrasts of the State palette (AA at least). Every text is escaped: names come
from files and forms.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from tne_dash.embed.card import CardFigures
from tne_dash.figures.privacy import MASK, ROUNDED_TO
from tne_dash.labels import APP_TITLE, DEMO_BADGE, format_date, format_number
from tne_dash.palette import BLEU_FRANCE, ROUGE_ERREUR, TEXT_GREY
from tne_dash.store.reference import CNFS_VINTAGE

NEW_TAB = "(nouvel onglet)"
PROGRAMME = "Territoires Numériques Éducatifs — volet parentalité"
NBSP = "\u00a0"
# The notice of the pages (labels.DEMO_NOTICE), short enough for a 360 px card.
CARD_DEMO_NOTICE = "activité générée pour illustrer le tableau de bord, pas mesurée."
# System fonts only: nothing is downloaded.
FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
STYLE = f"""
*{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;background:#FFFFFF;color:{TEXT_GREY};font-family:{FONTS};font-size:1rem;
line-height:1.4}}
main{{border:1px solid #DDDDDD;border-top:4px solid {BLEU_FRANCE};padding:.6rem .85rem}}
h2{{margin:0;font-size:1.25rem;line-height:1.25;color:{BLEU_FRANCE};overflow-wrap:anywhere}}
p{{margin:.35rem 0}}
.contexte{{margin-top:.1rem;font-size:.875rem}}
.demo{{border:1px solid {ROUGE_ERREUR};background:#FFF4F4;color:{ROUGE_ERREUR};
padding:.35rem .6rem;font-size:.875rem}}
dl{{display:grid;grid-template-columns:repeat(auto-fill,minmax(8.5rem,1fr));gap:.5rem;
margin:.6rem 0}}
dl div{{background:#F5F5FE;border-radius:4px;padding:.3rem .55rem}}
dt{{font-size:.8125rem;overflow-wrap:anywhere}}
dd{{margin:0;font-size:1.375rem;font-weight:700;color:{BLEU_FRANCE};white-space:nowrap}}
.petit{{font-size:.75rem}}
a{{color:{BLEU_FRANCE};text-decoration:underline;overflow-wrap:anywhere}}
a:focus-visible{{outline:2px solid {BLEU_FRANCE};outline-offset:2px}}
"""


def dashboard_path(figures: CardFigures) -> str:
    """The dashboard's home page on this territory and date: the same headline figures."""
    query = urlencode({"scope": str(figures.scope), "to": figures.as_of.isoformat()},
                      safe=":")
    return f"/?{query}"


def card_title(figures: CardFigures) -> str:
    """« Bezons (95) — chiffres clés du volet parentalité TNE »."""
    return f"{figures.label} — chiffres clés du volet parentalité TNE"


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n"
            '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="robots" content="noindex">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n")


def _sources(figures: CardFigures) -> str:
    latest = format_date(figures.latest_workshop) if figures.latest_workshop else "aucun"
    masking = (f" Effectifs de personnes arrondis à {ROUNDED_TO} près, de 1 à 4 lus "
               f"«{NBSP}{MASK.replace(' ', NBSP)}{NBSP}» : aucune famille n'est reconnaissable."
               if figures.masked else "")
    return (f"Sources : population municipale INSEE (millésime 2023) ; conseillers "
            f"numériques : fichier ANCT du {CNFS_VINTAGE} ; activité enregistrée dans le "
            f"tableau de bord (dernier atelier : {latest}).{masking}")


def render_card(figures: CardFigures, dashboard_origin: str = "") -> str:
    """The card's page. ``dashboard_origin`` (``https://tne.example.fr``) prefixes the link
    back; empty, the link is relative to the card's own address — the dashboard's server."""
    day = format_date(figures.as_of)
    parts = [f'<p class="petit">{PROGRAMME}</p>\n',
             f"<h2>{escape(figures.name)}</h2>\n",
             f'<p class="contexte">{escape(figures.context)} · '
             f"{escape(format_number(figures.population))} habitants</p>\n"]
    if figures.demo:
        parts.append(f'<p class="demo"><strong>{escape(DEMO_BADGE)}</strong> : '
                     f"{escape(CARD_DEMO_NOTICE)}</p>\n")
    if figures.phase is not None:
        parts.append(f"<p>Phase du déploiement au {escape(day)} : "
                     f"<strong>{escape(figures.phase)}</strong></p>\n")
    if figures.phases:
        detail = ", ".join(f"{count} {escape(state)}" for state, count in figures.phases
                           if count) or "aucune"
        parts.append(f"<p>Communes engagées au {escape(day)} : {detail}.</p>\n")
    parts.append(f"<p>Chiffres du début du programme au <strong>{escape(day)}</strong> :</p>\n")
    parts.append("<dl>\n" + "".join(
        f"<div><dt>{escape(kpi.label)}</dt><dd>{escape(kpi.value)}</dd></div>\n"
        for kpi in figures.kpis) + "</dl>\n")
    link = dashboard_origin.rstrip("/") + dashboard_path(figures)
    parts.append(f'<p><a href="{escape(link)}" target="_blank" rel="noopener">Voir tous les '
                 f"chiffres sur le tableau de bord TNE {NEW_TAB}</a></p>\n")
    parts.append(f'<p class="petit">{escape(_sources(figures))}</p>\n')
    return _page(card_title(figures), "".join(parts))


def render_error(message: str, dashboard_origin: str = "") -> str:
    """A small French card saying why there is no card (bad address, unknown territory,
    database not ready): the message escaped, and a link to the dashboard."""
    body = ("<h2>Carte indisponible</h2>\n"
            f"<p>{escape(message)}</p>\n"
            f'<p><a href="{escape(dashboard_origin.rstrip("/") + "/")}" target="_blank" '
            f'rel="noopener">Ouvrir le {escape(APP_TITLE)} {NEW_TAB}</a></p>\n')
    return _page(f"Carte indisponible — {APP_TITLE}", body)

