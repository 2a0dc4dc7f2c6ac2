"""Aftershock: the evidence system behind guardrails for AI-assisted changes and agent actions.

Top-level packages: ``schemas`` (event contracts), ``ingest`` (Kafka -> Parquet lake),
``analytics`` (SQL over the lake), ``dashboards`` (Streamlit), and this package, which holds the
command line, settings, errors and the local Kafka broker.
"""

__version__ = "0.1.0"
