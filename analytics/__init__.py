"""SQL over the lake's DuckDB views: linking, blast radius, metrics, postmortems, risk rules.

Never imports Kafka clients or Streamlit.
"""
