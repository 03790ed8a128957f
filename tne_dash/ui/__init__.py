"""The only streamlit-aware part of the package: adapters between pages and the core."""
