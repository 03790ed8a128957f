"""Feeding the dashboard: the workshop template, the Coop export, Parents Ressources and
objectives — validated completely, written all-or-nothing, idempotent, journaled, undoable."""
