-- Refuses every file, network and extension access outside allowed_directories (COPY ... TO,
-- ATTACH, read_csv('/etc/...'), INSTALL/LOAD).
-- Output: none.  Grain: none.  Parameters: none.
SET enable_external_access = false;
