"""SQL files of the risk rules (loaded with importlib.resources)."""
