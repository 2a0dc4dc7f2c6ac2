-- Ranked suspects per incident. Evidence about a deployment is shared equally among the changes
-- it shipped (a deployment that shipped none stays a deployment suspect); evidence of different
-- methods for one suspect is combined as a noisy OR: 1 - prod(1 - confidence), after keeping the
-- strongest row of each method.
-- Output: incident_id, suspect_kind ('change' | 'deployment' | 'agent_action'), suspect_id,
--   deployment_id, confidence, methods, evidence, provenance, rank (1 = most likely)
-- Grain: (incident_id, suspect_kind, suspect_id).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_links AS
WITH expanded AS (
    SELECT e.incident_id, 'change' AS suspect_kind, dc.change_id AS suspect_id, e.ref_id AS deployment_id,
           e.method, e.confidence / dc.n_changes AS confidence, e.evidence, e.provenance
    FROM a_link_evidence AS e
    JOIN a_deployment_changes AS dc ON dc.deployment_id = e.ref_id
    WHERE e.kind = 'deployment'
    UNION ALL
    SELECT e.incident_id, 'deployment', e.ref_id, e.ref_id, e.method, e.confidence, e.evidence, e.provenance
    FROM a_link_evidence AS e
    WHERE e.kind = 'deployment'
      AND NOT EXISTS (SELECT 1 FROM a_deployment_changes AS dc WHERE dc.deployment_id = e.ref_id)
    UNION ALL
    SELECT e.incident_id, e.kind, e.ref_id, NULL, e.method, e.confidence, e.evidence, e.provenance
    FROM a_link_evidence AS e
    WHERE e.kind IN ('change', 'agent_action')
),
strongest AS (
    SELECT incident_id, suspect_kind, suspect_id, method,
           max(confidence) AS confidence,
           arg_max(evidence, confidence) AS evidence,
           arg_max(provenance, confidence) AS provenance,
           any_value(deployment_id) FILTER (WHERE deployment_id IS NOT NULL) AS deployment_id
    FROM expanded
    GROUP BY incident_id, suspect_kind, suspect_id, method
),
scored AS (
    SELECT incident_id, suspect_kind, suspect_id,
           any_value(deployment_id) FILTER (WHERE deployment_id IS NOT NULL) AS deployment_id,
           1 - exp(sum(ln(1 - least(confidence, 0.999)))) AS confidence,
           list(method ORDER BY confidence DESC, method) AS methods,
           list(evidence ORDER BY confidence DESC, method) AS evidence,
           list(provenance ORDER BY confidence DESC, method) AS provenance
    FROM strongest
    GROUP BY incident_id, suspect_kind, suspect_id
)
SELECT *,
       row_number() OVER (PARTITION BY incident_id ORDER BY confidence DESC, suspect_kind, suspect_id) AS rank
FROM scored;
