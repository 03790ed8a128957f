"""What several screens share: the Streamlit adapters (cached data access, shell, navigation,
sign-in, blocks, pickers) and the pure pieces handed to them (URL state, the map of a view).
May import figures, store and the shared modules; never a screen folder."""
