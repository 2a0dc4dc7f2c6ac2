"""Streamlit pages for leadership: thin pages over ``analytics`` functions; no SQL here."""
