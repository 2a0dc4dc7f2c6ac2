"""The CI gate: classify one change before release (``aftershock classify``); gate/README.md."""
