-- Candidate path globs for new categories: the first one and two directory levels of every file
-- touched by a labelled change before $until.
-- Output: pattern (a glob), changes (distinct changes touching it), failed (of those, failed),
-- unknown_share (share of its file paths that no category of rule_category_glob matches).
-- Grain: one row per pattern. Parameters: $until (TIMESTAMPTZ, exclusive).
WITH train AS (
    SELECT s.change_id, l.failed
    FROM rule_scores AS s
    JOIN change_label AS l ON l.change_id = s.change_id
    WHERE s.occurred_at < $until::TIMESTAMPTZ
),
latest AS (
    SELECT coalesce(change_id, event_id) AS cid, files
    FROM change
    QUALIFY row_number() OVER (PARTITION BY coalesce(change_id, event_id)
                               ORDER BY occurred_at DESC, event_id DESC) = 1
),
paths AS (
    SELECT DISTINCT t.change_id, t.failed, u.f.path AS path
    FROM train AS t
    JOIN latest AS l ON l.cid = t.change_id, unnest(l.files) AS u(f)
),
flagged AS (
    SELECT p.change_id, p.failed, string_split(p.path, '/') AS parts,
           EXISTS (SELECT 1 FROM rule_category_glob AS g WHERE p.path GLOB g.pattern) AS known
    FROM paths AS p
    WHERE NOT regexp_matches(p.path, '[\[\]{}\\*?]')
),
globs AS (
    SELECT change_id, failed, known, parts[1] || '/*' AS pattern FROM flagged WHERE len(parts) >= 2
    UNION ALL
    SELECT change_id, failed, known, parts[1] || '/' || parts[2] || '/*' FROM flagged WHERE len(parts) >= 3
)
SELECT pattern,
       count(DISTINCT change_id) AS changes,
       count(DISTINCT change_id) FILTER (WHERE failed) AS failed,
       avg(CASE WHEN known THEN 0.0 ELSE 1.0 END) AS unknown_share
FROM globs
GROUP BY pattern
ORDER BY pattern;
