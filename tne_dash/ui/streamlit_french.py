"""Streamlit's own English, in French, in the browser: the texts its widgets write and the
names screen readers read (``aria-label``, ``title``, ``placeholder``), which no parameter
of Streamlit 1.67 sets (« Select all », « No results », the file uploader's « Upload »,
« Skip to main content », « Help for Ateliers », « Collapse sidebar »…).

One hidden element per run (``declare_french``) holds a script that, once per browser tab,
rewrites those texts where they are and keeps them rewritten as Streamlit redraws (a
MutationObserver: its callbacks run before the next paint, so the English never shows).
Why a script and not CSS ``content``: the text of a link or a button is its accessible name;
CSS can hide it only by hiding it from screen readers too, or by making the element
unfocusable. Only Streamlit's exact strings are matched (whole text or whole attribute), so
the app's own French and the users' data are never touched.

What stays English, with no way to change it from the app, is listed in README
(« Accessibilité »); ``tests/test_french_interface.py`` visits every page and fails on the
phrases of ``ENGLISH_PHRASES``.
"""

from __future__ import annotations

import json

import streamlit as st

# The toolbars' buttons over tables and charts: their aria-label, and the text of the tooltip
# that shows it on hover.
TOOLBAR = {
    "Download as CSV": "Télécharger en CSV",
    "Download as PNG": "Télécharger en PNG",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Clear selection": "Effacer la sélection",
    "Show data": "Afficher les données",
    "Copy Vega-Lite spec": "Copier la description Vega-Lite du graphique",
    "Copied!": "Copié !",
    # st.code's copy button (the <iframe> code of « Intégrer sur votre site »).
    "Copy to clipboard": "Copier dans le presse-papiers",
    "Copied": "Copié",
}
# The date picker's instructions: a hidden text its button points to (aria-describedby).
DATE_INSTRUCTIONS = {
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
        "Flèches pour changer de date, Entrée pour la choisir, Échap pour fermer.",
}
# Whole texts written by Streamlit's frontend (text nodes), and their French.
TEXTS = {
    **TOOLBAR,
    **DATE_INSTRUCTIONS,
    "add icon": "ajouter",
    "Skip to main content": "Aller au contenu principal",
    "Select all": "Tout sélectionner",
    "No results": "Aucun résultat",
    "Upload": "Choisir un fichier",
    "Upload directories": "Choisir un dossier",
    "Drag and drop a file here": "Ou déposez un fichier ici",
    "Drag and drop files here": "Ou déposez des fichiers ici",
    "Drag and drop directories here": "Ou déposez des dossiers ici",
    "Running...": "Calcul en cours…",
    "Stopping...": "Arrêt en cours…",
    "Please wait...": "Veuillez patienter…",
    "Stop": "Arrêter",
    "Copy": "Copier",
    "Connecting": "Connexion",
    "Connecting to Streamlit server": "Connexion au serveur",
    "Connection error": "Connexion perdue",
    "Connection lost. Please wait for the app to reconnect, then try again.":
        "Connexion perdue : patientez, l'application se reconnecte, puis réessayez.",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in "
    "your terminal:": "Le serveur ne répond pas. Réessayez dans un instant ; s'il a été "
                      "arrêté, relancez-le :",
    "Page not found": "Page introuvable",
    "Press Enter to apply": "Entrée pour valider",
    "Press Enter to submit form": "Entrée pour envoyer le formulaire",
    "Press Ctrl+Enter to apply": "Ctrl+Entrée pour valider",
    "Press Ctrl+Enter to submit form": "Ctrl+Entrée pour envoyer le formulaire",
    "Press ⌘+Enter to apply": "⌘+Entrée pour valider",
    "Press ⌘+Enter to submit form": "⌘+Entrée pour envoyer le formulaire",
    "This app has encountered an error. The original error message is redacted to prevent "
    "data leaks. Full error details have been recorded in the logs (if you're on Streamlit "
    "Cloud, click on 'Manage app' in the lower right of your app).":
        "Une erreur est survenue. Son détail est dans le journal du serveur.",
}
# Whole values of aria-label, title and placeholder.
LABELS = {
    "Choose an option": "Choisir une option",
    "Choose options": "Choisir une ou plusieurs options",
    "Choose or add an option": "Choisir ou ajouter une option",
    "Choose or add options": "Choisir ou ajouter des options",
    "file upload": "Fichier à importer",
    "Clear all": "Tout effacer",
    "Collapse sidebar": "Replier le panneau latéral",
    "Expand sidebar": "Déplier le panneau latéral",
    "Sidebar": "Panneau latéral",
    "App pages": "Pages de l'application",
    "Link to heading": "Lien vers ce titre",
    "Help": "Aide",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Previous month": "Mois précédent",
    "Next month": "Mois suivant",
    "Previous": "Précédent",
    "Next": "Suivant",
    "Selected values": "Valeurs choisies",
    "Add files": "Ajouter des fichiers",
    "Shortcut Space": "Raccourci : Espace",
    **TOOLBAR,
    **DATE_INSTRUCTIONS,
}
# Texts and labels with a part of their own (a widget's French label, a size): a regular
# expression over the whole string (JavaScript syntax) and its French ($1: the part kept).
PATTERNS = (
    (r"^Help for (.+)$", "Aide : $1"),
    (r"^Remove (.+)$", "Retirer $1"),
    (r"^Choose date, (.+)$", "Choisir une date, $1"),
    (r"^(.+) start date$", "$1, date de début"),
    (r"^(.+) end date$", "$1, date de fin"),
    (r"^Shortcut (.+)$", "Raccourci : $1"),
    (r"^day, (.+)$", "jour, $1"),
    (r"^month, (.+)$", "mois, $1"),
    (r"^year, (.+)$", "année, $1"),
)
# Sizes, the French way (« 1,5 ko »): the uploader's limit (« 20MB per file »), an uploaded
# file's size (« 8.0B ») and its chip's label (« ateliers.csv, 8.0B »). Groups: the name
# before, the number, the unit, « per file ».
SIZE_PATTERN = r"^(.+, )?(\d+(?:\.\d+)?)(B|KB|MB|GB)( per file)?$"
SIZE_UNITS = {"B": "octets", "KB": "ko", "MB": "Mo", "GB": "Go"}

# The date picker's hidden descriptions for screen readers (« Selected Date: December 01,
# 2026 »): the same sentence in French, the date written by the browser in French.
DATE_PATTERNS = (
    (r"^Selected Date: (.+)$", "Date choisie : $1"),
    (r"^Selected Range: (.+) to (.+)$", "Période choisie : du $1 au $2"),
    (r"^Today, (.+)$", "Aujourd'hui, $1"),
)

# English that Streamlit 1.67 shows and the app must not: the browser test fails when the
# visible text of a page holds one of them (each is translated above or set by a parameter).
ENGLISH_PHRASES = (
    "Choose an option", "Choose options", "Drag and drop", "Browse files", "Upload",
    "per file", "Limit", "No results", "Select all", "Press Enter", "Running...",
    "Skip to main content", "Please wait", "This app has encountered an error",
)

ELEMENT_ID = "tne-french"

_SCRIPT = r"""(function () {
  if (window.tneFrench) { return; }
  window.tneFrench = true;
  var TEXTS = %(texts)s, LABELS = %(labels)s;
  var PATTERNS = %(patterns)s.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  var DATES = %(dates)s.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  var SIZE = new RegExp(%(size)s), UNITS = %(units)s;
  function frenchDate(english) {
    var date = new Date(english);
    return isNaN(date) ? english : date.toLocaleDateString(
      'fr-FR', {day: 'numeric', month: 'long', year: 'numeric'});
  }
  var ATTRIBUTES = ['aria-label', 'title', 'placeholder'];
  var own = Object.prototype.hasOwnProperty;
  function french(value, table) {
    var whole = value.trim();
    if (!whole) { return null; }
    var done = null;
    if (own.call(table, whole)) { done = table[whole]; }
    for (var i = 0; done === null && i < PATTERNS.length; i++) {
      if (PATTERNS[i][0].test(whole)) { done = whole.replace(PATTERNS[i][0], PATTERNS[i][1]); }
    }
    for (var j = 0; done === null && j < DATES.length; j++) {
      var found = DATES[j][0].exec(whole);
      if (found) {
        done = DATES[j][1].replace(/\$(\d)/g, function (_, n) {
          return frenchDate(found[Number(n)]);
        });
      }
    }
    var size = done === null && SIZE.exec(whole);
    if (size) {
      done = (size[1] || '') + Number(size[2]).toLocaleString('fr-FR') + ' ' + UNITS[size[3]]
        + (size[4] ? ' par fichier' : '');
    }
    // The spaces around the text stay; a function, so that no « $ » of the text is read.
    return done === null ? null : value.replace(whole, function () { return done; });
  }
  function text(node) {
    var parent = node.parentElement;
    if (!parent || parent.isContentEditable || /^(SCRIPT|STYLE|TEXTAREA)$/.test(parent.tagName)) {
      return;
    }
    var done = french(node.data, TEXTS);
    if (done !== null && done !== node.data) { node.data = done; }
  }
  function labels(element) {
    for (var i = 0; i < ATTRIBUTES.length; i++) {
      var value = element.getAttribute(ATTRIBUTES[i]);
      var done = value && french(value, LABELS);
      if (done && done !== value) { element.setAttribute(ATTRIBUTES[i], done); }
    }
  }
  function walk(root) {
    if (root.nodeType === 3) { text(root); return; }
    if (root.nodeType !== 1) { return; }
    labels(root);
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === 3) { text(node); } else { labels(node); }
    }
  }
  walk(document.body);
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === 'childList') { record.addedNodes.forEach(walk); }
      else if (record.type === 'characterData') { text(record.target); }
      else { labels(record.target); }
    });
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: ATTRIBUTES});
})();"""


def _as_js(value) -> str:
    """JSON for a script: ``<`` escaped, so no string can close the script element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def french_script() -> str:
    """The script element, its tables JSON-encoded."""
    body = _SCRIPT % {"texts": _as_js(TEXTS), "labels": _as_js(LABELS),
                      "patterns": _as_js([list(p) for p in PATTERNS]),
                      "dates": _as_js([list(p) for p in DATE_PATTERNS]),
                      "size": _as_js(SIZE_PATTERN), "units": _as_js(SIZE_UNITS)}
    return f'<script id="{ELEMENT_ID}">{body}</script>'


def declare_french() -> None:
    """Send the script (its element is hidden by ``look.FRENCH_WIDGET_TEXTS``: no room
    taken above the page's title). The document's ``lang="fr"`` is served by the server
    (``http.FrenchDocument``)."""
    st.html(french_script(), unsafe_allow_javascript=True)
