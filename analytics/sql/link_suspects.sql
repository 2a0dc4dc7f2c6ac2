-- Ranked suspects per incident. Evidence about a deployment is evidence about each change it
-- shipped (a deployment that shipped none stays a deployment suspect), and change_confidence says
-- which of them: the change's share in a_change_shares (link_change_features.sql), the
-- probability that it is the cause if its deployment is; evidence of different
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
-- A change carried by several deployments (a failed one and its retry, say) takes the evidence of
-- its strongest deployment only: the deployments are alternatives, not independent evidence.
-- Output: incident_id, suspect_kind ('change' | 'deployment' | 'agent_action'), suspect_id,
--   deployment_id, confidence, change_confidence (NULL unless a deployment's evidence names the
--   change), methods, evidence, provenance, rank (1 = most likely: confidence, then
--   change_confidence, then kind and id)
-- Grain: (incident_id, suspect_kind, suspect_id).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_links AS
WITH best_deployment AS (
    SELECT e.incident_id, dc.change_id, arg_max(e.ref_id, {c: e.confidence, d: e.ref_id}) AS deployment_id
    FROM a_link_evidence AS e
    JOIN a_change_shares AS dc
      ON e.kind = 'deployment' AND dc.incident_id = e.incident_id AND dc.deployment_id = e.ref_id
    JOIN (SELECT change_id FROM a_deployment_changes GROUP BY change_id HAVING count(*) > 1) USING (change_id)
    GROUP BY e.incident_id, dc.change_id
),
expanded AS NOT MATERIALIZED (
    SELECT e.incident_id,
           CASE WHEN dc.change_id IS NULL THEN e.kind ELSE 'change' END AS suspect_kind,
           coalesce(dc.change_id, e.ref_id) AS suspect_id,
           CASE WHEN e.kind = 'deployment' THEN e.ref_id END AS deployment_id,
           e.method,
           e.confidence,
           dc.share,
           e.evidence,
           e.provenance,
           e.method IN ('time_window', 'dependency', 'agent_action') AS one_per_reference
    FROM a_link_evidence AS e
    LEFT JOIN a_change_shares AS dc
           ON e.kind = 'deployment' AND dc.incident_id = e.incident_id AND dc.deployment_id = e.ref_id
    LEFT JOIN best_deployment AS b ON b.incident_id = e.incident_id AND b.change_id = dc.change_id
    WHERE b.deployment_id IS NULL OR b.deployment_id = e.ref_id
),
shipped_twice AS (
    SELECT change_id FROM a_deployment_changes GROUP BY change_id HAVING count(*) > 1
),
repeatable AS (
    SELECT DISTINCT incident_id, suspect_kind, suspect_id FROM expanded WHERE NOT one_per_reference
),
strongest AS (
    SELECT incident_id, suspect_kind, suspect_id, method,
           max({c: confidence, e: evidence, p: provenance, s: share}) AS s,
           arg_max(deployment_id, {c: confidence, e: evidence}) FILTER (WHERE deployment_id IS NOT NULL)
               AS deployment_id
    FROM expanded AS x
    WHERE EXISTS (SELECT 1 FROM repeatable AS r WHERE r.incident_id = x.incident_id
                                                  AND r.suspect_kind = x.suspect_kind
                                                  AND r.suspect_id = x.suspect_id)
       OR (x.suspect_kind = 'change' AND EXISTS (SELECT 1 FROM shipped_twice AS t WHERE t.change_id = x.suspect_id))
    GROUP BY incident_id, suspect_kind, suspect_id, method
),
combined AS (
    SELECT incident_id, suspect_kind, suspect_id,
           arg_max(deployment_id, s) FILTER (WHERE deployment_id IS NOT NULL) AS deployment_id,
           arg_max(s.s, s) FILTER (WHERE s.s IS NOT NULL) AS change_confidence,
           list_sort(list({c: -s.c, m: method, e: s.e, p: s.p})) AS ordered
    FROM strongest
    GROUP BY incident_id, suspect_kind, suspect_id
),
scored AS (
    SELECT incident_id, suspect_kind, suspect_id, deployment_id,
           1 - exp(ln(1 - least(confidence, 0.999))) AS confidence, share AS change_confidence,
           [method] AS methods, [evidence] AS evidence, [provenance] AS provenance
    FROM expanded AS x
    ANTI JOIN repeatable AS r USING (incident_id, suspect_kind, suspect_id)
    WHERE NOT (x.suspect_kind = 'change'
               AND EXISTS (SELECT 1 FROM shipped_twice AS t WHERE t.change_id = x.suspect_id))
    UNION ALL
    SELECT incident_id, suspect_kind, suspect_id, deployment_id,
           1 - exp(list_sum([ln(1 - least(-x.c, 0.999)) FOR x IN list_sort(ordered, 'DESC')])),
           change_confidence, [x.m FOR x IN ordered], [x.e FOR x IN ordered], [x.p FOR x IN ordered]
    FROM combined
)
SELECT incident_id, suspect_kind, suspect_id, deployment_id, confidence, change_confidence, methods, evidence,
       provenance,
       row_number() OVER (PARTITION BY incident_id
                          ORDER BY confidence DESC, change_confidence DESC NULLS LAST, suspect_kind, suspect_id)
           AS rank
FROM scored;
