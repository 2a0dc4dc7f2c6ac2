-- The default reporting period: from the first to just after the last deployment start in
-- $environment (whole days are not assumed).
-- Output: since, until.  Grain: one row.  Parameters: $environment.
SELECT min(started_at) AS since, max(started_at) + INTERVAL 1 SECOND AS until
FROM a_deployments WHERE environment = $environment;
