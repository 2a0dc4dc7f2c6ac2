-- The lake snapshot's file lists of the event types a postmortem timeline reads (the reader's
-- session variables <type>_files, set by lake.reader.add_views).
-- Output: change, deployment, agent_action (lists of Parquet paths).
-- Grain: one row.  Parameters: none.
SELECT getvariable('change_files') AS change,
       getvariable('deployment_files') AS deployment,
       getvariable('agent_action_files') AS agent_action;
