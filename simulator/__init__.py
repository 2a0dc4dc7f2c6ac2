"""A ground-truth simulator: a realistic organisation's audit events plus the truth behind them."""
