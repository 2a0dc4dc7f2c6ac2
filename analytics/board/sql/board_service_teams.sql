-- The team of each service: the most frequent `team` attribute its events carry (services
-- without one are left out). Reads the lake's files of the snapshot directly: duplicates do not change which value is most frequent enough to matter for a filter.
-- Output: service_name, team.  Grain: service_name.  Parameters: none (session variables
--   <type>_files of lake.reader).
WITH tagged AS (
    SELECT service_name, attributes['team'] AS team
    FROM read_parquet(getvariable('change_files'), union_by_name = true)
    UNION ALL
    SELECT service_name, attributes['team'] AS team
    FROM read_parquet(getvariable('deployment_files'), union_by_name = true)
    UNION ALL
    SELECT service_name, attributes['team'] AS team
    FROM read_parquet(getvariable('incident_files'), union_by_name = true)
    UNION ALL
    SELECT service_name, attributes['team'] AS team
    FROM read_parquet(getvariable('agent_action_files'), union_by_name = true)
)
SELECT service_name, mode(team) AS team
FROM tagged
WHERE service_name IS NOT NULL AND team IS NOT NULL
GROUP BY service_name
ORDER BY service_name;
