-- PostgreSQL translation of link_suspects.sql: strongest row per method (DISTINCT ON), noisy-OR
-- per suspect, methods/evidence/provenance lists strongest first, rank per incident.
CREATE UNLOGGED TABLE a_links AS
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
    SELECT DISTINCT ON (incident_id, suspect_kind, suspect_id, method) *
    FROM expanded
    ORDER BY incident_id, suspect_kind, suspect_id, method, confidence DESC
),
scored AS (
    SELECT incident_id, suspect_kind, suspect_id, min(deployment_id) AS deployment_id,
           1 - exp(sum(ln(1 - least(confidence, 0.999)))) AS confidence,
           array_agg(method ORDER BY confidence DESC, method) AS methods,
           array_agg(evidence ORDER BY confidence DESC, method) AS evidence,
           array_agg(provenance ORDER BY confidence DESC, method) AS provenance
    FROM strongest
    GROUP BY incident_id, suspect_kind, suspect_id
)
SELECT *, row_number() OVER (PARTITION BY incident_id ORDER BY confidence DESC, suspect_kind, suspect_id) AS rank
FROM scored;
