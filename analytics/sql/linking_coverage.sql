-- How many incidents that started in [$since, $until) have a linked cause at the threshold
-- a_incident_blame was built with, and of which kind.
-- Output: incidents, linked, unlinked, linked_change, linked_deployment, linked_agent_action
-- Grain: one row.  Parameters: $since, $until.
SELECT
    count(*) AS incidents,
    count(*) FILTER (WHERE linked) AS linked,
    count(*) FILTER (WHERE NOT linked) AS unlinked,
    count(*) FILTER (WHERE suspect_kind = 'change') AS linked_change,
    count(*) FILTER (WHERE suspect_kind = 'deployment') AS linked_deployment,
    count(*) FILTER (WHERE suspect_kind = 'agent_action') AS linked_agent_action
FROM a_incident_blame
WHERE impact_started_at >= $since AND impact_started_at < $until;
