"""``python -m dashboards.serve ARGS``: Streamlit's own command line (``python -m streamlit
ARGS``), with what every page needs imported in a background thread while the server starts.

A page's first render in a fresh server otherwise pays for these imports (pandas, Altair, DuckDB,
the page functions: seconds on a busy machine), for Altair's first validation of a chart (it loads
the Vega-Lite schema) and for reading the stored figures of the lake's newest model; here they are
done before the first browser connects. A page that runs meanwhile
waits only for the rest of an import under way (Python's import lock).
"""

from __future__ import annotations

import importlib
import os
import runpy
import sys
import threading
from pathlib import Path

WARM = ("pandas", "altair", "streamlit.elements.vega_charts", "dashboards.widgets", "dashboards.layout",
        "analytics.board.overview", "analytics.board.changes", "analytics.board.incidents",
        "analytics.board.agents", "analytics.board.rules", "analytics.board.explorer",
        "analytics.board.prebuilt")


def warm() -> None:
    """Import the pages' modules and read the stored figures of the lake's newest model."""
    for name in WARM:
        importlib.import_module(name)
    import altair as alt

    # the first chart a process validates loads and compiles the Vega-Lite schema
    alt.Chart(alt.Data(values=[{"x": 1}])).mark_bar().encode(x="x:Q").to_dict()
    from dashboards.commands import LAKE_ENV, RULES_ENV

    if not os.environ.get(LAKE_ENV):
        return
    from analytics.board import prebuilt
    from analytics.board.source import locate
    from analytics.model import LinkParams
    from lake.options import lake_argument

    rules = os.environ.get(RULES_ENV)
    rules_file = Path(rules) if rules else None
    src = locate(lake_argument(os.environ[LAKE_ENV]), LinkParams(), prebuilt.MIN_CONFIDENCE,
                 ready=prebuilt.ready(rules_file))
    prebuilt.load(src, rules_file)


def main() -> None:
    threading.Thread(target=warm, name="warm", daemon=True).start()
    sys.argv = ["streamlit", *sys.argv[1:]]
    runpy.run_module("streamlit", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
