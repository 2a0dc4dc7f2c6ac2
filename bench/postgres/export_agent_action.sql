-- DuckDB side of the load: agent actions; column order matches schema.sql's ev_agent_action.
SELECT event_id, source_ref, service_name, target_resource, occurred_at, consequence_tier, decision,
       outcome, "authorization", gen_ai_agent_name
FROM agent_action
