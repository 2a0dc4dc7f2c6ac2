-- Every suspect of an incident appears once in a_links (link_suspects.sql groups only the suspects
-- that can have several evidence rows, so this proves the others had one): returns the suspects
-- with more than one row.
-- Output: incident_id, suspect_kind, suspect_id, rows.  Grain: suspect.  Parameters: none.
SELECT incident_id, suspect_kind, suspect_id, count(*) AS rows
FROM a_links
GROUP BY incident_id, suspect_kind, suspect_id
HAVING count(*) > 1;
