"""The Données page's sections: the activity note (demo or not, when the base was built)."""

from __future__ import annotations

import streamlit as st

from tne_dash.labels import DEMO_BADGE, DEMO_NOTICE


def activity_section(facts: dict[str, str]) -> None:
    """Whether the activity is demonstration data (with its seed), and when the base was built."""
    st.header("Activité")
    if facts.get("demo") == "true":
        st.warning(f"**{DEMO_BADGE}.** {DEMO_NOTICE} Elles sont tirées de façon déterministe "
                   f"(graine {facts.get('demo_seed')}) et marquées « demo » dans la base.",
                   icon=":material/science:")
    else:
        st.info("Cette base ne contient aucune activité de démonstration.")
    st.caption(f"Base construite le {facts.get('built_at', '—')} (UTC).")
