-- Closes the stored model being written (flushes it to its file).
-- Output: none.  Parameters: none.
DETACH model_store;
