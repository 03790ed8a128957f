"""The figures: the programme's figures computed from rows — scope, filters, the one indicator
path, roll-out, objectives, comparison, map frames. Imports the store and the shared modules,
never a screen or streamlit."""
