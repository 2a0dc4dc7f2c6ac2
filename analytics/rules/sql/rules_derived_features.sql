-- Change features derived from the lake's own history, for every change (the definitions are
-- analytics/rules/derive.py's; RULES.md "Derived from history"). Earlier changes: the latest
-- event of every other change of the same repository with an earlier occurred_at.
-- Output: change_derived(change_id, subsystems, directories, entropy, developers, age_days,
-- prior_changes, author_changes, author_recent_changes, author_subsystem_changes, fix), each in
-- thousandths, floor(x * 1000 + 0.5). Grain: one row per change_id. Parameters: none.
CREATE OR REPLACE TEMP TABLE change_derived AS
WITH latest AS (
    SELECT coalesce(change_id, event_id) AS cid, occurred_at AS t, vcs_repository_name AS repo, author,
           coalesce(files, []) AS files, vcs_change_title AS title, coalesce(labels, []::VARCHAR[]) AS labels,
           list_distinct([CASE WHEN contains(f.path, '/') THEN split_part(f.path, '/', 1) ELSE '' END
                          FOR f IN coalesce(files, [])]) AS tops
    FROM change
    QUALIFY row_number() OVER (PARTITION BY coalesce(change_id, event_id)
                               ORDER BY occurred_at DESC, event_id DESC) = 1
),
paths AS (
    SELECT DISTINCT l.cid, l.t, l.repo, l.author, u.f.path AS path
    FROM latest AS l, unnest(l.files) AS u(f)
),
own AS (
    SELECT l.cid,
           len(l.tops) AS subsystems,
           len(list_distinct([CASE WHEN contains(f.path, '/') THEN regexp_replace(f.path, '/[^/]*$', '')
                                   ELSE '' END FOR f IN l.files])) AS directories,
           [coalesce(f.lines_added, 0) + coalesce(f.lines_deleted, 0) FOR f IN l.files] AS lines,
           len([f FOR f IN l.files IF f.lines_added IS NULL AND f.lines_deleted IS NULL]) = 0 AS lines_known,
           CASE WHEN regexp_matches(coalesce(l.title, ''), $fix_words)
                  OR len([x FOR x IN l.labels IF regexp_matches(x, $fix_words)]) > 0
                THEN 1.0 ELSE 0.0 END AS fix
    FROM latest AS l
),
entropy AS (
    SELECT cid,
           CASE WHEN lines_known AND len(lines) > 0 AND list_sum(lines) > 0
                THEN -list_sum([(CAST(n AS DOUBLE) / list_sum(lines)) * log2(CAST(n AS DOUBLE) / list_sum(lines))
                                FOR n IN lines IF n > 0])
                WHEN len(lines) > 0 THEN log2(len(lines))
                ELSE 0.0 END AS entropy
    FROM own
),
touch AS (
    SELECT c.cid, c.t AS ct, c.path, e.cid AS ecid, e.author AS eauthor, e.t AS et
    FROM paths AS c
    JOIN paths AS e ON e.repo IS NOT DISTINCT FROM c.repo AND e.path = c.path AND e.t < c.t
),
history AS (
    SELECT cid, count(DISTINCT eauthor) AS developers, count(DISTINCT ecid) AS prior_changes
    FROM touch
    GROUP BY cid
),
age AS (
    SELECT cid, avg(CAST(date_diff('microsecond', latest_t, ct) AS DOUBLE) / 1000000 / 86400) AS age_days
    FROM (SELECT cid, path, any_value(ct) AS ct, max(et) AS latest_t FROM touch GROUP BY cid, path)
    GROUP BY cid
),
mine AS (
    SELECT c.cid, count(*) AS author_changes,
           sum(1 / (1 + CAST(date_diff('microsecond', e.t, c.t) AS DOUBLE) / 1000000 / (365 * 86400)))
               AS author_recent_changes,
           count(*) FILTER (WHERE len(list_intersect(e.tops, c.tops)) > 0) AS author_subsystem_changes
    FROM latest AS c
    JOIN latest AS e ON e.repo IS NOT DISTINCT FROM c.repo AND e.author = c.author AND e.t < c.t
    GROUP BY c.cid
)
SELECT o.cid AS change_id,
       CAST(floor(o.subsystems * 1000 + 0.5) AS BIGINT) AS subsystems,
       CAST(floor(o.directories * 1000 + 0.5) AS BIGINT) AS directories,
       CAST(floor(en.entropy * 1000 + 0.5) AS BIGINT) AS entropy,
       CAST(floor(coalesce(h.developers, 0) * 1000 + 0.5) AS BIGINT) AS developers,
       CAST(floor(coalesce(a.age_days, 0) * 1000 + 0.5) AS BIGINT) AS age_days,
       CAST(floor(coalesce(h.prior_changes, 0) * 1000 + 0.5) AS BIGINT) AS prior_changes,
       CAST(floor(coalesce(m.author_changes, 0) * 1000 + 0.5) AS BIGINT) AS author_changes,
       CAST(floor(coalesce(m.author_recent_changes, 0) * 1000 + 0.5) AS BIGINT) AS author_recent_changes,
       CAST(floor(coalesce(m.author_subsystem_changes, 0) * 1000 + 0.5) AS BIGINT) AS author_subsystem_changes,
       CAST(floor(o.fix * 1000 + 0.5) AS BIGINT) AS fix
FROM own AS o
JOIN entropy AS en ON en.cid = o.cid
LEFT JOIN history AS h ON h.cid = o.cid
LEFT JOIN age AS a ON a.cid = o.cid
LEFT JOIN mine AS m ON m.cid = o.cid;
