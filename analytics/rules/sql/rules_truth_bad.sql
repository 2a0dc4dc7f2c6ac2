-- The simulator's list of bad changes as a table (labels for scoring against ground truth).
-- Output: truth_bad(change_id). Grain: one row per bad change. Parameters: $bad (VARCHAR[]).
CREATE OR REPLACE TEMP TABLE truth_bad AS SELECT DISTINCT unnest($bad::VARCHAR[]) AS change_id;
