-- Indexes for the report's lookups (run after the load, outside the timed part), then statistics.
CREATE INDEX ON ev_agent_action (service_name, occurred_at);
CREATE INDEX ON ev_agent_action (occurred_at) WHERE service_name IS NULL;
CREATE INDEX ON ev_agent_action (event_id);
CREATE INDEX ON ev_agent_action (source_ref);
ANALYZE;
