"""The agent guardrail hook: tier every tool call before it runs, decide by policy, record it.

Modules: ``shell`` (tree-sitter parse of a command into the simple commands it would run),
``unwrap`` (seeing through ``sudo``, ``env``, ``bash -c``, ``xargs``...), ``classify`` (tier and
label of one command), ``tools`` (tier of any tool call), ``policy`` (the TOML policy),
``decide`` (tier + policy -> decision), ``grants`` (Ed25519 second authorization), ``spool``
(the local, fsync'd record of decisions), ``hook`` (the Claude Code hook protocol). The hook path
imports no pydantic, DuckDB, pyarrow or Kafka client; ``ship`` sends the spool through the SDK.
"""
