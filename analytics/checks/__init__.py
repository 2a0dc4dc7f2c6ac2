"""Checks as data: each SQL file returns the rows that break one invariant (none when healthy)."""
