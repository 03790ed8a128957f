"""Accueil: the programme's headline figures for a territory and a date."""
