"""Import: files of workshops, Coop exports, Parents Ressources and objectives — the
Streamlit adapter over ``store.imports``."""
