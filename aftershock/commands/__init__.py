"""Subcommands owned by the ``aftershock`` package itself (broker, demo)."""
