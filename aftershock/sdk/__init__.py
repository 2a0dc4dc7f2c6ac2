"""The emitter SDK for Python services: validate, redact, send to Kafka, spool when it is down."""
