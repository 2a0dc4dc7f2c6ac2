-- Binds the file list of one view for the session.
-- Output columns: none. Grain: none. Parameters: $files (list of Parquet paths).
SET VARIABLE {view}_files = $files
