-- Which change of a suspected deployment: for every (incident, deployment) with evidence or
-- features (a_deployment_features), each
-- change the deployment shipped (a_deployment_changes) with its features and its share, the
-- probability that it is the one that caused the incident if the deployment did:
-- share = softmax over the deployment's changes of change_head [head of the deployment]
--   + change_position x ln(merge position, 1 = head) + change_risky [touches deploy, config,
--   IAM, migration, control-plane paths] + change_log_lines x ln(1 + lines changed)
--   + change_component [a path names a word of the incident's title that is not part of the
--   service's name], with weights calibrated on simulated histories (link_weights.toml).
-- A merged pull request's paths are those of the push that carried its merge commit.
-- Output: a_change_shares (incident_id, deployment_id, change_id, is_head, position, risky,
--   lines_changed, component, share)
-- Grain: (incident, deployment, change).  Parameters: the change_* weights.
CREATE OR REPLACE TEMP TABLE a_change_shares AS
WITH suspected AS (
    SELECT e.incident_id, e.ref_id AS deployment_id
    FROM a_link_evidence AS e
    WHERE e.kind = 'deployment'
    UNION
    SELECT incident_id, deployment_id FROM a_deployment_features
),
shipped AS (
    SELECT s.incident_id, dc.deployment_id, dc.change_id, dc.is_head, dc.position
    FROM suspected AS s
    JOIN a_deployment_changes AS dc USING (deployment_id)
),
carried AS (
    SELECT r.change_id, push.paths
    FROM a_change_refs AS r
    JOIN a_changes AS push ON push.head_sha = r.value AND push.kind = 'commit' AND push.change_id <> r.change_id
    WHERE r.kind = 'commit_sha'
),
change_paths AS (
    SELECT c.change_id, c.lines_changed, c.path_categories, c.service_name,
           list_distinct(flatten([coalesce(c.paths, [])] || coalesce(list(p.paths) FILTER (WHERE p.paths IS NOT NULL), []))) AS paths
    FROM a_changes AS c
    SEMI JOIN shipped AS s ON s.change_id = c.change_id
    LEFT JOIN carried AS p ON p.change_id = c.change_id
    GROUP BY c.change_id, c.lines_changed, c.path_categories, c.service_name, c.paths
),
words AS (
    SELECT i.incident_id,
           list_filter(regexp_split_to_array(lower(coalesce(i.title, '')), '[^a-z0-9]+'),
                       lambda w: length(w) >= 4
                            AND NOT list_contains(regexp_split_to_array(lower(coalesce(i.service_name, '')),
                                                                        '[^a-z0-9]+'), w)) AS title_words
    FROM a_incidents AS i
    SEMI JOIN suspected AS s ON s.incident_id = i.incident_id
),
featured AS (
    SELECT s.incident_id, s.deployment_id, s.change_id, s.is_head, s.position,
           coalesce(list_has_any(coalesce(c.path_categories, []),
                        ['config', 'deploy_logic', 'iam_policy', 'control_plane', 'data_migration'])
               OR len(list_filter(c.paths, lambda p: regexp_matches(
                      p, '(^|/)(deploy|helm|k8s|terraform|iam|migrations|config|controlplane|\.github/workflows)/')))
                  > 0, false) AS risky,
           coalesce(c.lines_changed, 0) AS lines_changed,
           coalesce(len(list_intersect(w.title_words,
                                       flatten([regexp_split_to_array(lower(p), '[^a-z0-9]+') FOR p IN c.paths])))
                    > 0, false) AS component
    FROM shipped AS s
    LEFT JOIN change_paths AS c USING (change_id)
    LEFT JOIN words AS w USING (incident_id)
),
scored AS (
    SELECT *, exp(CASE WHEN is_head THEN $change_head ELSE 0 END
                  + $change_position * ln(position)
                  + CASE WHEN risky THEN $change_risky ELSE 0 END
                  + $change_log_lines * ln(1 + lines_changed)
                  + CASE WHEN component THEN $change_component ELSE 0 END) AS weight
    FROM featured
)
SELECT incident_id, deployment_id, change_id, is_head, position, risky, lines_changed, component,
       weight / sum(weight) OVER (PARTITION BY incident_id, deployment_id) AS share
FROM scored;
