-- name: schema
CREATE TABLE IF NOT EXISTS deliveries (
    source TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at TEXT NOT NULL,  -- ISO 8601, UTC: ordered as text
    PRIMARY KEY (source, delivery_id)
);
-- name: index
CREATE INDEX IF NOT EXISTS deliveries_received_at ON deliveries (received_at);
-- name: seen
SELECT received_at FROM deliveries WHERE source = :source AND delivery_id = :delivery;
-- name: record
INSERT OR REPLACE INTO deliveries (source, delivery_id, received_at) VALUES (:source, :delivery, :received_at);
-- name: prune
DELETE FROM deliveries WHERE received_at < :cutoff;
-- name: count
SELECT count(*) FROM deliveries;
