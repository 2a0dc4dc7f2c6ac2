-- Incidents per UTC week of impact start in [$since, $until) that affected a selected service:
-- how many, how many have a linked cause (at the threshold a_incident_blame was built with),
-- and their total and median impact minutes (blast_incidents.sql; open incidents have none).
-- Output: week, incidents, linked, impact_minutes_total, impact_minutes_median
-- Grain: week.  Parameters: $since, $until, $all_services, $services.
WITH scope AS (
    SELECT ib.incident_id, ib.linked, ib.impact_started_at, b.impact_minutes
    FROM a_incident_blame AS ib
    JOIN a_blast AS b USING (incident_id)
    WHERE ib.impact_started_at >= $since AND ib.impact_started_at < $until
      AND ($all_services OR EXISTS (SELECT 1 FROM a_incident_services AS s
                                    WHERE s.incident_id = ib.incident_id
                                      AND list_contains($services, s.service_name)))
)
SELECT
    CAST(date_trunc('week', impact_started_at AT TIME ZONE 'UTC') AS DATE) AS week,
    count(*) AS incidents,
    count(*) FILTER (WHERE linked) AS linked,
    coalesce(sum(impact_minutes), 0) AS impact_minutes_total,
    median(impact_minutes) AS impact_minutes_median
FROM scope
GROUP BY week
ORDER BY week;
