"""The webhook receiver: real tools push their events in, verified, deduplicated, spooled, sent."""
