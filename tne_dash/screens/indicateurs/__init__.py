"""Indicateurs: the explorer — URL filters (shared with ``tne-dash indicators --query``),
French tables, charts and the Streamlit adapter."""
