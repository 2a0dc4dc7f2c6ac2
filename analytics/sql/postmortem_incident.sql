-- The incident named by our id or by a source-native id (e.g. a PagerDuty incident id), with its
-- blast radius.
-- Output: the columns of a_blast plus status, environment, source_refs, causes
-- Grain: incident_id (at most a few rows when a source id is ambiguous).  Parameters: $incident.
SELECT b.*, i.status, i.environment, i.source_refs, i.causes
FROM a_incidents AS i
JOIN a_blast AS b USING (incident_id)
WHERE i.incident_id = $incident OR list_contains(i.source_refs, $incident)
ORDER BY i.incident_id;
