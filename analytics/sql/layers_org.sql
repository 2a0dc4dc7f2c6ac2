-- Of the changes that caused an incident starting in [$since, $until) (a_layers), how many the
-- gate flagged, were caught at canary, were rolled back before impact, and reached customers
-- through every layer (no layer held on any of its incidents), with what each figure's
-- coverage rests on: gate decisions found, rollout strategy and deployment known.
-- A change that caused several incidents counts once (a layer held if it held on any).
-- Output: changes, gated, flagged, rollout_known, caught_at_canary, deployed,
--   rolled_back_before_impact, all_layers_known, through_every_layer
-- Grain: one row.  Parameters: $since, $until.
WITH per_change AS (
    SELECT
        change_id,
        bool_or(gate <> 'absent') AS gated,
        bool_or(coalesce(gate_flagged, false)) AS flagged,
        bool_or(rollout <> 'unknown') AS rollout_known,
        bool_or(caught_at_canary) AS caught_at_canary,
        bool_or(rollback <> 'unknown') AS deployed,
        bool_or(rolled_back_before_impact) AS rolled_back_before_impact,
        bool_and(gate <> 'absent' AND rollout <> 'unknown' AND rollback <> 'unknown') AS all_layers_known,
        bool_and(layers_held = 0) AS through_every_layer
    FROM a_layers
    WHERE impact_started_at >= $since AND impact_started_at < $until
    GROUP BY change_id
)
SELECT
    count(*) AS changes,
    count(*) FILTER (WHERE gated) AS gated,
    count(*) FILTER (WHERE flagged) AS flagged,
    count(*) FILTER (WHERE rollout_known) AS rollout_known,
    count(*) FILTER (WHERE caught_at_canary) AS caught_at_canary,
    count(*) FILTER (WHERE deployed) AS deployed,
    count(*) FILTER (WHERE rolled_back_before_impact) AS rolled_back_before_impact,
    count(*) FILTER (WHERE all_layers_known) AS all_layers_known,
    count(*) FILTER (WHERE through_every_layer) AS through_every_layer
FROM per_change;
