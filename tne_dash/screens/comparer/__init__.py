"""Comparer: communes side by side — URL state, French tables, charts, the one-page PDF
sheet (``tne-dash fiche``) and the Streamlit adapter."""
