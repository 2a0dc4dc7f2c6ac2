-- Freezes the connection's settings so a later statement cannot change them.
-- Output: none.  Grain: none.  Parameters: none.
SET lock_configuration = true;
