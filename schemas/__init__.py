"""Event contracts: one envelope, typed payloads chosen by ``event_type``.

Import from the modules (``schemas.event``, ``schemas.change``...): this file stays empty so that
the command line can import ``schemas.cli`` without loading pydantic. Never imports Kafka clients
or Streamlit. See ``schemas/README.md`` for the field-naming rule and the compatibility policy.
"""
