"""Déploiement: each commune's yearly roll-out against its objectives — URL state, French
tables, charts, and the Streamlit adapter with the objective form."""
