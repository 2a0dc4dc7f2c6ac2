-- Every change of history scored by the rules in rule_def / rule_category_glob / rule_term / rule_tier
-- (the same semantics as analytics/rules/evaluate.py; RULES.md "Semantics").
-- Output: change_id, event_id, service_name, occurred_at, lines_added, lines_deleted,
-- lines_changed, files, ai_level, kind, author_kind, criticality, signals (NULL = unknown),
-- dependents (NULL = unknown), features (MAP name -> thousandths; known ones only: the
-- change.<feature> attribute, else the value derived from history when change_derived has it),
-- categories (rules-file order),
-- rules_fired (rules-file order), term_milli (what the scaled terms added), score_milli, score, tier.
-- A term adds floor(weight_milli * v / 1000 + 0.5), v = floor(ln(1 + x) * 1000 + 0.5), x its
-- measure (a change feature in thousandths / 1000, unknown = 0), in doubles as evaluate.py does.
-- Grain: one row per change_id (its latest event; change_id falls back to event_id).
-- Parameters: none (reads the `change` view of ingest.reader.open_lake).
WITH latest AS (
    SELECT coalesce(change_id, event_id) AS cid, event_id, service_name, occurred_at, lines_added,
           lines_deleted, files, ai, kind, author_kind, attributes
    FROM change
    QUALIFY row_number() OVER (PARTITION BY coalesce(change_id, event_id)
                               ORDER BY occurred_at DESC, event_id DESC) = 1
),
paths AS (
    SELECT l.cid, u.f.path AS path
    FROM latest AS l, unnest(l.files) AS u(f)
),
cats AS (
    SELECT p.cid, g.category, min(g.cat_ord) AS cat_ord
    FROM paths AS p
    JOIN rule_category_glob AS g ON p.path GLOB g.pattern
    GROUP BY p.cid, g.category
),
cat_lists AS (
    SELECT cid, list(category ORDER BY cat_ord) AS categories FROM cats GROUP BY cid
),
facts AS (
    SELECT
        l.cid AS change_id, l.event_id, l.service_name, l.occurred_at,
        coalesce(l.lines_added, list_sum([coalesce(f.lines_added, 0) FOR f IN l.files]), 0) AS lines_added,
        coalesce(l.lines_deleted, list_sum([coalesce(f.lines_deleted, 0) FOR f IN l.files]), 0)
            AS lines_deleted,
        greatest(coalesce(len(l.files), 0),
                 CASE WHEN regexp_full_match(coalesce(l.attributes['change.files_changed'], ''), '[0-9]{1,9}')
                      THEN CAST(l.attributes['change.files_changed'] AS BIGINT) ELSE 0 END) AS files,
        l.ai.level AS ai_level, l.kind, l.author_kind,
        CASE WHEN l.attributes['service.criticality'] IN ('1', '2', '3', '4')
             THEN CAST(l.attributes['service.criticality'] AS INTEGER) END AS criticality,
        [x FOR x IN string_split(l.attributes['change.signals'], ',') IF x <> ''] AS signals,
        CASE WHEN regexp_full_match(coalesce(l.attributes['service.dependents'], ''), '[0-9]{1,9}')
             THEN CAST(l.attributes['service.dependents'] AS BIGINT) END AS dependents,
        map_from_entries([e FOR e IN [
            {'k': 'subsystems', 'v': coalesce(rule_feature_milli(l.attributes['change.subsystems']), d.subsystems)},
            {'k': 'directories', 'v': coalesce(rule_feature_milli(l.attributes['change.directories']), d.directories)},
            {'k': 'entropy', 'v': coalesce(rule_feature_milli(l.attributes['change.entropy']), d.entropy)},
            {'k': 'lines_before', 'v': rule_feature_milli(l.attributes['change.lines_before'])},
            {'k': 'developers', 'v': coalesce(rule_feature_milli(l.attributes['change.developers']), d.developers)},
            {'k': 'age_days', 'v': coalesce(rule_feature_milli(l.attributes['change.age_days']), d.age_days)},
            {'k': 'prior_changes', 'v': coalesce(rule_feature_milli(l.attributes['change.prior_changes']), d.prior_changes)},
            {'k': 'author_changes', 'v': coalesce(rule_feature_milli(l.attributes['change.author_changes']), d.author_changes)},
            {'k': 'author_recent_changes', 'v': coalesce(rule_feature_milli(l.attributes['change.author_recent_changes']), d.author_recent_changes)},
            {'k': 'author_subsystem_changes', 'v': coalesce(rule_feature_milli(l.attributes['change.author_subsystem_changes']), d.author_subsystem_changes)},
            {'k': 'fix', 'v': coalesce(rule_feature_milli(l.attributes['change.fix']), d.fix)}
        ] IF e.v IS NOT NULL]) AS features,
        coalesce(c.categories, []::VARCHAR[]) AS categories
    FROM latest AS l
    LEFT JOIN cat_lists AS c ON c.cid = l.cid
    LEFT JOIN change_derived AS d ON d.change_id = l.cid
),
terms AS (
    SELECT f.change_id,
           sum(floor(t.weight_milli * floor(ln(CAST(1 AS DOUBLE) + CASE t.measure
                   WHEN 'lines_added' THEN CAST(f.lines_added AS DOUBLE)
                   WHEN 'lines_deleted' THEN CAST(f.lines_deleted AS DOUBLE)
                   WHEN 'lines_changed' THEN CAST(f.lines_added + f.lines_deleted AS DOUBLE)
                   WHEN 'files' THEN CAST(f.files AS DOUBLE)
                   ELSE CAST(coalesce(f.features[t.measure], 0) AS DOUBLE) / 1000 END) * 1000 + 0.5)
               / 1000 + 0.5))::BIGINT AS term_milli
    FROM facts AS f
    CROSS JOIN rule_term AS t
    GROUP BY f.change_id
),
fired AS (
    SELECT f.change_id, r.rule_id, r.ord, r.weight_milli
    FROM facts AS f
    CROSS JOIN rule_def AS r
    WHERE (len(r.categories_any) = 0 OR len(list_intersect(r.categories_any, f.categories)) > 0)
      AND (len(r.ai_levels) = 0 OR coalesce(list_contains(r.ai_levels, f.ai_level), false))
      AND (len(r.kinds) = 0 OR coalesce(list_contains(r.kinds, f.kind), false))
      AND (len(r.author_kinds) = 0 OR coalesce(list_contains(r.author_kinds, f.author_kind), false))
      AND (r.lines_changed_min IS NULL OR f.lines_added + f.lines_deleted >= r.lines_changed_min)
      AND (r.lines_changed_max IS NULL OR f.lines_added + f.lines_deleted <= r.lines_changed_max)
      AND (r.lines_added_min IS NULL OR f.lines_added >= r.lines_added_min)
      AND (r.lines_deleted_min IS NULL OR f.lines_deleted >= r.lines_deleted_min)
      AND (r.files_min IS NULL OR f.files >= r.files_min)
      AND (r.criticality_max IS NULL OR coalesce(f.criticality <= r.criticality_max, false))
      AND (len(r.signals_any) = 0 OR coalesce(len(list_intersect(r.signals_any, f.signals)) > 0, false))
      AND (r.dependents_min IS NULL OR coalesce(f.dependents >= r.dependents_min, false))
      AND len([t FOR t IN r.feature_mins IF NOT coalesce(f.features[t.name] >= t.milli, false)]) = 0
),
fired_per_change AS (
    SELECT change_id, list(rule_id ORDER BY ord) AS rules_fired, sum(weight_milli) AS weight_milli
    FROM fired
    GROUP BY change_id
),
scored AS (
    -- aggregated per change before the join: grouping by every column of facts (lists and maps)
    -- held all of history in one hash table
    SELECT
        f.*, f.lines_added + f.lines_deleted AS lines_changed,
        coalesce(x.rules_fired, []::VARCHAR[]) AS rules_fired,
        coalesce(tm.term_milli, 0)::BIGINT AS term_milli,
        (coalesce(x.weight_milli, 0) + coalesce(tm.term_milli, 0))::BIGINT AS score_milli
    FROM facts AS f
    LEFT JOIN fired_per_change AS x ON x.change_id = f.change_id
    LEFT JOIN terms AS tm ON tm.change_id = f.change_id
)
SELECT
    s.change_id, s.event_id, s.service_name, s.occurred_at, s.lines_added, s.lines_deleted,
    s.lines_changed, s.files, s.ai_level, s.kind, s.author_kind, s.criticality, s.signals,
    s.dependents, s.features, s.categories,
    s.rules_fired, s.term_milli, s.score_milli, s.score_milli / 1000.0 AS score,
    coalesce(
        (SELECT arg_max(t.name, t.min_score_milli) FROM rule_tier AS t WHERE t.min_score_milli <= s.score_milli),
        (SELECT arg_min(t.name, t.min_score_milli) FROM rule_tier AS t)
    ) AS tier
FROM scored AS s
