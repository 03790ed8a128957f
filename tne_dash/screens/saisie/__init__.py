"""Saisie: one workshop recorded by an editor — the Streamlit form, validated like an
imported row."""
