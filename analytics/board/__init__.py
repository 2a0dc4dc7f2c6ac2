"""What the dashboard pages show, as plain data: one module per page, every figure from SQL files
in ``analytics/board/sql`` (or the report's own queries) over the stored model of the lake.

- :mod:`.source` finds the newest stored model of a lake and whether it is current;
- :mod:`.refresh` rebuilds it in a separate process, one at a time (a lock file);
- :mod:`.prebuilt` stores each page's figures for the default filters after a rebuild, so a
  first render reads them;
- :mod:`.session` opens a connection over a source and resolves the page filters;
- :mod:`.overview`, :mod:`.changes`, :mod:`.incidents`, :mod:`.agents`, :mod:`.rules`,
  :mod:`.explorer` compute each page's figures.

Pages (``dashboards/``) call these functions and hold no SQL and no connection.
"""
