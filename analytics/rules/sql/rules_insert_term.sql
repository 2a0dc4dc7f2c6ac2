-- One scaled term (log1p transform). Parameters: $term_id, $ord, $measure, $weight_milli.
INSERT INTO rule_term VALUES ($term_id, $ord, $measure, $weight_milli);
