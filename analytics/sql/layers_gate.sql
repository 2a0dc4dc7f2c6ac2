-- Every change the risk gate decided on: its decisions folded together. A change is flagged
-- when some decision was not 'allow' (its tier asked for more than the lowest tier does);
-- its verification is 'overridden' when a decision was overridden (someone approved past it),
-- 'done' when an 'allow' came at or after the first flagging decision (the check passed),
-- else 'missing' (flagged, and no passing check or override was recorded). Reads the gate
-- decisions of the lake snapshot once (first_landed, as the model does).
-- Output: change_id, first_at (first decision), decisions, tier and score (of the highest-scoring
--   decision), flagged, overridden, verification ('done' | 'overridden' | 'missing' | NULL when
--   not flagged), overridden_at, approved_by (who approved an override)
-- Grain: change_id.  Parameters: none (the file list is the session variable gate_decision_files).
CREATE OR REPLACE TEMP TABLE a_gate_changes AS
WITH decisions AS (
    SELECT subject_id AS change_id, occurred_at, tier, score, decision,
           coalesce(override, false) AS override, approved_by
    FROM first_landed(getvariable('gate_decision_files'))
    WHERE subject_kind = 'change' AND subject_id IS NOT NULL
),
folded AS (
    SELECT
        change_id,
        min(occurred_at) AS first_at,
        count(*) AS decisions,
        arg_max(tier, score) AS tier,
        max(score) AS score,
        bool_or(decision <> 'allow') AS flagged,
        bool_or(override) AS overridden,
        min(occurred_at) FILTER (WHERE decision <> 'allow') AS flagged_at,
        max(occurred_at) FILTER (WHERE decision = 'allow') AS allowed_at,
        min(occurred_at) FILTER (WHERE override) AS overridden_at,
        coalesce(list_distinct(flatten(list(approved_by) FILTER (WHERE override))), []) AS approved_by
    FROM decisions
    GROUP BY change_id
)
SELECT
    change_id, first_at, decisions, tier, score, flagged, overridden,
    CASE
        WHEN NOT flagged THEN NULL
        WHEN overridden THEN 'overridden'
        WHEN allowed_at >= flagged_at THEN 'done'
        ELSE 'missing'
    END AS verification,
    overridden_at,
    approved_by
FROM folded;
