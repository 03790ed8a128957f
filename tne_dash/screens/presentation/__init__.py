"""Présentation: live figures for a projector — URL state, the slides as escaped HTML, the
share link and QR code, and the Streamlit adapter."""
