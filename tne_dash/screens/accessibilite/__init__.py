"""Déclaration d'accessibilité: the RGAA statement, built from what the tests check."""
