-- The rules file as tables, so the evaluation joins them instead of building SQL.
-- Tables: rule_category_glob(category, cat_ord, pattern), rule_def(rule_id, ord, weight_milli,
-- categories_any, ai_levels, kinds, author_kinds, lines_changed_min, lines_changed_max,
-- lines_added_min, lines_deleted_min, files_min, criticality_max, signals_any, dependents_min,
-- feature_mins), rule_term(term_id, ord, measure, weight_milli), rule_tier(name, ord, min_score_milli); macro rule_feature_milli(text): a change
-- feature attribute in thousandths (NULL unless a plain non-negative decimal; features.py).
-- Grain: one row per glob / rule / tier. Parameters: none.
CREATE OR REPLACE TEMP TABLE rule_category_glob (category VARCHAR, cat_ord INTEGER, pattern VARCHAR);
CREATE OR REPLACE TEMP TABLE rule_def (
    rule_id VARCHAR, ord INTEGER, weight_milli BIGINT,
    categories_any VARCHAR[], ai_levels VARCHAR[], kinds VARCHAR[], author_kinds VARCHAR[],
    lines_changed_min BIGINT, lines_changed_max BIGINT, lines_added_min BIGINT, lines_deleted_min BIGINT,
    files_min BIGINT, criticality_max INTEGER, signals_any VARCHAR[], dependents_min BIGINT,
    feature_mins STRUCT(name VARCHAR, milli BIGINT)[]
);
CREATE OR REPLACE TEMP TABLE rule_term (term_id VARCHAR, ord INTEGER, measure VARCHAR, weight_milli BIGINT);
CREATE OR REPLACE TEMP TABLE rule_tier (name VARCHAR, ord INTEGER, min_score_milli BIGINT);
-- change_derived: features derived from history (rules_derived_features.sql); empty unless derived
CREATE TEMP TABLE IF NOT EXISTS change_derived (
    change_id VARCHAR, subsystems BIGINT, directories BIGINT, entropy BIGINT, developers BIGINT,
    age_days BIGINT, prior_changes BIGINT, author_changes BIGINT, author_recent_changes BIGINT,
    author_subsystem_changes BIGINT, fix BIGINT
);
CREATE OR REPLACE TEMP MACRO rule_feature_milli(v) AS
    CASE WHEN regexp_full_match(coalesce(v, ''), '[0-9]{1,12}(\.[0-9]{1,9})?')
         THEN CAST(floor(CAST(v AS DOUBLE) * 1000 + 0.5) AS BIGINT) END;
