-- Ranked suspects per incident. Evidence about a deployment is shared equally among the changes
-- it shipped (a deployment that shipped none stays a deployment suspect); evidence of different
-- methods for one suspect is combined as a noisy OR: 1 - prod(1 - confidence), after keeping the
-- strongest row of each method. methods/evidence/provenance list each method's strongest row,
-- strongest first (ties by method name).
-- Scoring and ranking carry only keys, numbers and the evidence row id (a window over the wide
-- rows costs several times more); the texts are joined back at the end, and the per-suspect
-- lists are aggregated only for suspects with several methods.
-- Output: incident_id, suspect_kind ('change' | 'deployment' | 'agent_action'), suspect_id,
--   deployment_id, confidence, methods, evidence, provenance, rank (1 = most likely)
-- Grain: (incident_id, suspect_kind, suspect_id).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_links AS
WITH expanded AS (
    SELECT e.incident_id, 'change' AS suspect_kind, dc.change_id AS suspect_id, e.ref_id AS deployment_id,
           e.method, e.confidence / dc.n_changes AS confidence, e.rowid AS evidence_row
    FROM a_link_evidence AS e
    JOIN a_deployment_changes AS dc ON dc.deployment_id = e.ref_id
    WHERE e.kind = 'deployment'
    UNION ALL
    SELECT e.incident_id, 'deployment', e.ref_id, e.ref_id, e.method, e.confidence, e.rowid
    FROM a_link_evidence AS e
    ANTI JOIN a_deployment_changes AS dc ON dc.deployment_id = e.ref_id
    WHERE e.kind = 'deployment'
    UNION ALL
    SELECT e.incident_id, e.kind, e.ref_id, NULL, e.method, e.confidence, e.rowid
    FROM a_link_evidence AS e
    WHERE e.kind IN ('change', 'agent_action')
),
strongest AS (
    SELECT incident_id, suspect_kind, suspect_id, method,
           max(confidence) AS confidence,
           arg_max(evidence_row, confidence) AS evidence_row,
           any_value(deployment_id) FILTER (WHERE deployment_id IS NOT NULL) AS deployment_id
    FROM expanded
    GROUP BY incident_id, suspect_kind, suspect_id, method
),
scored AS (
    SELECT incident_id, suspect_kind, suspect_id,
           any_value(deployment_id) FILTER (WHERE deployment_id IS NOT NULL) AS deployment_id,
           1 - exp(sum(ln(1 - least(confidence, 0.999)))) AS confidence,
           count(*) AS methods_n,
           any_value(method) AS method,
           any_value(evidence_row) AS evidence_row
    FROM strongest
    GROUP BY incident_id, suspect_kind, suspect_id
),
several AS (
    SELECT s.incident_id, s.suspect_kind, s.suspect_id,
           list_sort(list({c: -s.confidence, m: s.method, e: e.evidence, p: e.provenance})) AS ordered
    FROM strongest AS s
    SEMI JOIN (SELECT * FROM scored WHERE methods_n > 1) AS m USING (incident_id, suspect_kind, suspect_id)
    JOIN a_link_evidence AS e ON e.rowid = s.evidence_row
    GROUP BY s.incident_id, s.suspect_kind, s.suspect_id
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY incident_id ORDER BY confidence DESC, suspect_kind, suspect_id)
                  AS rank
    FROM scored
)
SELECT r.incident_id, r.suspect_kind, r.suspect_id, r.deployment_id, r.confidence,
       coalesce([x.m FOR x IN s.ordered], [r.method]) AS methods,
       coalesce([x.e FOR x IN s.ordered], [e.evidence]) AS evidence,
       coalesce([x.p FOR x IN s.ordered], [e.provenance]) AS provenance,
       r.rank
FROM ranked AS r
JOIN a_link_evidence AS e ON e.rowid = r.evidence_row
LEFT JOIN several AS s
  ON s.incident_id = r.incident_id AND s.suspect_kind = r.suspect_kind AND s.suspect_id = r.suspect_id;
