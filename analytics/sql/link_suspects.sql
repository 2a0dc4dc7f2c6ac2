-- Ranked suspects per incident. Evidence about a deployment is shared equally among the changes
-- it shipped (a deployment that shipped none stays a deployment suspect); evidence of different
-- methods for one suspect is combined as a noisy OR: 1 - prod(1 - confidence), after keeping the
-- strongest row of each method (ties by evidence text), with the logarithms summed weakest first
-- so that suspects with the same evidence get the same confidence whatever the plan.
-- methods/evidence/provenance list each method's strongest row, strongest first (ties by method
-- name).
-- Most suspects have one evidence row. Only suspects that can have several go through the
-- grouping: those named by a row of a method that may repeat a reference (every method but
-- time_window, dependency and agent_action, whose files emit one row per incident and reference),
-- and changes shipped by more than one deployment. Every other row is a suspect on its own.
-- checks/link_suspect_unique.sql proves the result has one row per suspect.
-- Output: incident_id, suspect_kind ('change' | 'deployment' | 'agent_action'), suspect_id,
--   deployment_id, confidence, methods, evidence, provenance, rank (1 = most likely)
-- Grain: (incident_id, suspect_kind, suspect_id).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_links AS
WITH expanded AS NOT MATERIALIZED (
    SELECT e.incident_id,
           CASE WHEN dc.change_id IS NULL THEN e.kind ELSE 'change' END AS suspect_kind,
           coalesce(dc.change_id, e.ref_id) AS suspect_id,
           CASE WHEN e.kind = 'deployment' THEN e.ref_id END AS deployment_id,
           e.method,
           CASE WHEN dc.change_id IS NULL THEN e.confidence ELSE e.confidence / dc.n_changes END AS confidence,
           e.evidence,
           e.provenance,
           e.method IN ('time_window', 'dependency', 'agent_action') AS one_per_reference
    FROM a_link_evidence AS e
    LEFT JOIN a_deployment_changes AS dc ON e.kind = 'deployment' AND dc.deployment_id = e.ref_id
),
shipped_twice AS (
    SELECT change_id FROM a_deployment_changes GROUP BY change_id HAVING count(*) > 1
),
repeatable AS (
    SELECT DISTINCT incident_id, suspect_kind, suspect_id FROM expanded WHERE NOT one_per_reference
),
strongest AS (
    SELECT incident_id, suspect_kind, suspect_id, method,
           max({c: confidence, e: evidence, p: provenance}) AS s,
           any_value(deployment_id) FILTER (WHERE deployment_id IS NOT NULL) AS deployment_id
    FROM expanded AS x
    WHERE EXISTS (SELECT 1 FROM repeatable AS r WHERE r.incident_id = x.incident_id
                                                  AND r.suspect_kind = x.suspect_kind
                                                  AND r.suspect_id = x.suspect_id)
       OR (x.suspect_kind = 'change' AND EXISTS (SELECT 1 FROM shipped_twice AS t WHERE t.change_id = x.suspect_id))
    GROUP BY incident_id, suspect_kind, suspect_id, method
),
combined AS (
    SELECT incident_id, suspect_kind, suspect_id,
           any_value(deployment_id) FILTER (WHERE deployment_id IS NOT NULL) AS deployment_id,
           list_sort(list({c: -s.c, m: method, e: s.e, p: s.p})) AS ordered
    FROM strongest
    GROUP BY incident_id, suspect_kind, suspect_id
),
scored AS (
    SELECT incident_id, suspect_kind, suspect_id, deployment_id,
           1 - exp(ln(1 - least(confidence, 0.999))) AS confidence,
           [method] AS methods, [evidence] AS evidence, [provenance] AS provenance
    FROM expanded AS x
    ANTI JOIN repeatable AS r USING (incident_id, suspect_kind, suspect_id)
    WHERE NOT (x.suspect_kind = 'change'
               AND EXISTS (SELECT 1 FROM shipped_twice AS t WHERE t.change_id = x.suspect_id))
    UNION ALL
    SELECT incident_id, suspect_kind, suspect_id, deployment_id,
           1 - exp(list_sum([ln(1 - least(-x.c, 0.999)) FOR x IN list_sort(ordered, 'DESC')])),
           [x.m FOR x IN ordered], [x.e FOR x IN ordered], [x.p FOR x IN ordered]
    FROM combined
)
SELECT incident_id, suspect_kind, suspect_id, deployment_id, confidence, methods, evidence, provenance,
       row_number() OVER (PARTITION BY incident_id ORDER BY confidence DESC, suspect_kind, suspect_id) AS rank
FROM scored;
