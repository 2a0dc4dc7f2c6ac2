-- Where to put the tuner's thresholds: quantiles of each measure over the labelled changes
-- before $until (features in thousandths; a change with the feature unknown is left out).
-- Output: one column per measure (lines_added, lines_deleted, files, and every change feature),
-- each the list of its values at the quantiles $q. Grain: one row.
-- Parameters: $until (TIMESTAMPTZ, exclusive), $q (DOUBLE[]: quantiles in 0..1).
SELECT
    quantile_disc(s.lines_added, $q::DOUBLE[]) AS lines_added,
    quantile_disc(s.lines_deleted, $q::DOUBLE[]) AS lines_deleted,
    quantile_disc(s.files, $q::DOUBLE[]) AS files,
    quantile_disc(s.features['subsystems'], $q::DOUBLE[]) AS subsystems,
    quantile_disc(s.features['directories'], $q::DOUBLE[]) AS directories,
    quantile_disc(s.features['entropy'], $q::DOUBLE[]) AS entropy,
    quantile_disc(s.features['lines_before'], $q::DOUBLE[]) AS lines_before,
    quantile_disc(s.features['developers'], $q::DOUBLE[]) AS developers,
    quantile_disc(s.features['age_days'], $q::DOUBLE[]) AS age_days,
    quantile_disc(s.features['prior_changes'], $q::DOUBLE[]) AS prior_changes,
    quantile_disc(s.features['author_changes'], $q::DOUBLE[]) AS author_changes,
    quantile_disc(s.features['author_recent_changes'], $q::DOUBLE[]) AS author_recent_changes,
    quantile_disc(s.features['author_subsystem_changes'], $q::DOUBLE[]) AS author_subsystem_changes,
    quantile_disc(s.features['fix'], $q::DOUBLE[]) AS fix
FROM rule_scores AS s
JOIN change_label AS l ON l.change_id = s.change_id
WHERE s.occurred_at < $until::TIMESTAMPTZ;
