-- The values each deployment names, merged across its events, one row each: listed change ids
-- ('change_id'), deployed commit shas and head revisions ('sha'), regions ('region') and
-- source-native ids ('source_ref').
-- Output: deployment_id, kind ('change_id' | 'sha' | 'region' | 'source_ref'), value
-- Grain: (deployment_id, kind, value).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_deployment_refs AS
WITH named AS (
    SELECT deployment_id, 'change_id' AS kind, unnest(change_ids) AS value
    FROM a_deployment_events WHERE len(change_ids) > 0
    UNION ALL
    SELECT deployment_id, 'sha', unnest(commit_shas) FROM a_deployment_events WHERE len(commit_shas) > 0
    UNION ALL
    SELECT deployment_id, 'sha', vcs_ref_head_revision FROM a_deployment_events
    UNION ALL
    SELECT deployment_id, 'region', unnest(regions) FROM a_deployment_events WHERE len(regions) > 0
    UNION ALL
    SELECT deployment_id, 'source_ref', source_ref FROM a_deployment_events
)
SELECT DISTINCT deployment_id, kind, value
FROM named
WHERE deployment_id IS NOT NULL AND value IS NOT NULL;
