"""The dashboard: ``aftershock dashboard`` runs ``streamlit run`` on this file."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent / "views"  # not "pages": Streamlit would list that folder itself

st.set_page_config(page_title="Aftershock", layout="wide")
st.navigation([
    st.Page(HERE / "overview.py", title="Overview", url_path="overview", default=True),
    st.Page(HERE / "changes.py", title="Changes & AI", url_path="changes"),
    st.Page(HERE / "incidents.py", title="Incidents & blast radius", url_path="incidents"),
    st.Page(HERE / "agents.py", title="Agents & guardrails", url_path="agents"),
    st.Page(HERE / "rules.py", title="Risk rules", url_path="rules"),
    st.Page(HERE / "postmortem.py", title="Postmortem explorer", url_path="postmortem"),
]).run()
