"""The read API (``/api/v1/…``), served by the app's own server (``serve.py``): the figures
of the pages as JSON or CSV, public by default (small counts masked), exact for an editor's
départements with an API token. No streamlit import: plain Starlette above the screens'
URL parsers, the figures and the store."""
