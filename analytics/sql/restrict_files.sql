-- Limits file access to $directories (the lake folder and the reader's empty schema files).
-- With disable_spilling.sql, disable_external_access.sql and lock_configuration.sql (in that order), a
-- later query can neither read elsewhere nor write anywhere.
-- Output: none.  Grain: none.  Parameters: $directories (list of folder paths ending in "/").
SET allowed_directories = $directories;
