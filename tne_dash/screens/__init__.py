"""The screens: one folder per page — its URL state (view.py), French tables (tables.py),
charts (charts.py) and Streamlit adapter (ui.py). May import ui/, figures, store and the shared
modules; never another screen folder."""
