-- No temporary files: a read-only query session writes nothing to disk.
-- Output: none.  Grain: none.  Parameters: none.
SET temp_directory = '';
