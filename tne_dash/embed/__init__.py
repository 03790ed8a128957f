"""The embeddable card: a commune's or a département's key figures as a small HTML page that
any site may show in an ``<iframe>`` (``/embed/commune/<code>``, ``/embed/departement/<code>``).

``card.py`` computes its figures (the shared indicator path, public masking), ``card_html.py``
writes it (inline CSS, no script, every text escaped), ``routes.py`` serves it (ETag, cache,
French errors), ``snippet.py`` writes the ``<iframe>`` code the Comparer and Carte pages
offer. No streamlit import.
"""

# The one path of the server that other sites may frame (ui/http.py reads it).
EMBED_PREFIX = "/embed"
