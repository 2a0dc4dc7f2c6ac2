"""Risk rules: one file format, one evaluation semantics (Python for one change, SQL for history)."""
