-- One tier. Parameters: $name, $ord, $min_score_milli.
INSERT INTO rule_tier VALUES ($name, $ord, $min_score_milli);
