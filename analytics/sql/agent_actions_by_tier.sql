-- Agent actions in [$since, $until) by consequence tier and guardrail decision.
-- Output: consequence_tier, decision, actions
-- Grain: (consequence_tier, decision).  Parameters: $since, $until.
SELECT consequence_tier, decision, count(*) AS actions
FROM a_agent_calls
WHERE occurred_at >= $since AND occurred_at < $until
GROUP BY ALL
ORDER BY ALL;
