-- Incidents of the environment with impact start in [$since, $until) that affected a selected
-- service: the blast radius (blast_incidents.sql) with its three factors, the linked cause at the
-- threshold (a_incident_blame) and the best suspect whatever its confidence (a_links rank 1).
-- Output: incident_id, title, severity, status, impact_started_at, ended_at, duration_minutes,
--   severity_weight, weighted_services, services, max_dependency_depth, regions, cells,
--   users_affected, failed_requests, error_budget_burn, impact_minutes, linked, cause_kind,
--   cause_id, best_suspect_kind, best_suspect_id, best_confidence, best_methods, source_refs
-- Grain: incident_id.  Parameters: $since, $until, $all_services, $services.
SELECT
    b.incident_id, b.title, b.severity, i.status, b.impact_started_at, b.ended_at, b.duration_minutes,
    CASE b.severity WHEN 1 THEN 1.0 WHEN 2 THEN 0.5 WHEN 3 THEN 0.25 WHEN 4 THEN 0.1 ELSE 0.05 END
        AS severity_weight,
    b.weighted_services, b.services, b.max_dependency_depth, b.regions, b.cells, b.users_affected,
    b.failed_requests, b.error_budget_burn, b.impact_minutes,
    ib.linked, ib.suspect_kind AS cause_kind, ib.suspect_id AS cause_id,
    l.suspect_kind AS best_suspect_kind, l.suspect_id AS best_suspect_id, l.confidence AS best_confidence,
    l.methods AS best_methods, i.source_refs
FROM a_blast AS b
JOIN a_incidents AS i USING (incident_id)
JOIN a_incident_blame AS ib USING (incident_id)
LEFT JOIN a_links AS l ON l.incident_id = b.incident_id AND l.rank = 1
WHERE b.impact_started_at >= $since AND b.impact_started_at < $until
  AND ($all_services OR EXISTS (SELECT 1 FROM a_incident_services AS s
                                WHERE s.incident_id = b.incident_id
                                  AND list_contains($services, s.service_name)))
ORDER BY b.impact_minutes DESC NULLS LAST, b.incident_id;
