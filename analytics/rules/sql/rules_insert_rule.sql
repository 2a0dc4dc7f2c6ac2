-- One rule. Parameters: $rule_id, $ord, $weight_milli, $categories_any, $ai_levels, $kinds,
-- $author_kinds, $lines_changed_min, $lines_changed_max, $lines_added_min, $lines_deleted_min,
-- $files_min, $criticality_max, $signals_any, $dependents_min, $feature_mins (list of {name, milli}) (empty list / NULL = condition not set).
INSERT INTO rule_def VALUES (
    $rule_id, $ord, $weight_milli, $categories_any, $ai_levels, $kinds, $author_kinds,
    $lines_changed_min, $lines_changed_max, $lines_added_min, $lines_deleted_min, $files_min,
    $criticality_max, $signals_any, $dependents_min, $feature_mins::STRUCT(name VARCHAR, milli BIGINT)[]
);
