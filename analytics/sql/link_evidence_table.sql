-- The empty table every linking method adds its evidence rows to.
-- Output: incident_id, kind ('change' | 'deployment' | 'agent_action'), ref_id (change_id,
--   deployment_id or agent-action event_id), method, confidence (0..1), evidence (one line a
--   human can check), provenance (which record says so)
-- Grain: one row per piece of evidence.  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_link_evidence (
    incident_id VARCHAR,
    kind VARCHAR,
    ref_id VARCHAR,
    method VARCHAR,
    confidence DOUBLE,
    evidence VARCHAR,
    provenance VARCHAR
);
