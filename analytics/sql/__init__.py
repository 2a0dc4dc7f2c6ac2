"""SQL files of the analytics model, metrics and postmortems (loaded with importlib.resources)."""
