-- The default reporting period: from the first to just after the last deployment start in
-- $environment (whole days are not assumed), among the plausible starts: no later than
-- $ahead_s seconds after the deployment was landed and no earlier than $age_days days before
-- it (the ingest worker's window, IngestSettings), so one absurd date (9999-12-31, 1970-01-01)
-- cannot stretch the period and flatten every rate.
-- Output: since, until.  Grain: one row.  Parameters: $environment, $ahead_s, $age_days.
SELECT min(started_at) AS since, max(started_at) + INTERVAL 1 SECOND AS until
FROM a_deployments
WHERE environment = $environment
  AND started_at <= landed_at + to_seconds($ahead_s)
  AND started_at >= landed_at - to_days(CAST($age_days AS INTEGER));
