"""Carte: the map of the TNE territories — URL state, the table under the map, and its
Streamlit adapter."""
