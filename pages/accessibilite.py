"""Déclaration d'accessibilité: the RGAA statement (not in the menu; every page's footer links
here), built from what the tests check."""

import streamlit as st

from tne_dash.screens.accessibilite import ui as statement
from tne_dash.ui import data, shell

shell.ensure_app_shell()
contact = data.settings().accessibility_contact

st.title("Déclaration d'accessibilité")
statement.introduction()
statement.conformity()
statement.test_results()
statement.non_accessible_content()
statement.establishment()
statement.feedback(contact)
statement.remedies()
