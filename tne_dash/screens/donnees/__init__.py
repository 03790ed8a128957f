"""Données et méthodes: the indicator catalogue and the sources, as French tables."""
