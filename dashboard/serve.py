"""Start the Streamlit dashboard with the modules its pages need already imported.

Streamlit runs the app script only when the first browser connects, so the first visit after a start paid
for importing pandas, Altair, SQLAlchemy and the radar core (about a second on our 2 cores: 2.60 s for the
first radar page against 1.67 s for a later fresh visit, bench/RESULTS.md). Imported here, in the server
process, before Streamlit starts, they are in ``sys.modules`` when the script runs. Nothing is opened: the
store and cache are still made by the script, per the settings it reads.

    python -m dashboard.serve APP [streamlit run options]
"""

from __future__ import annotations

import importlib
import sys

# What the pages import at their top level (none of them calls Streamlit at import).
PRELOAD = (
    "pandas",
    "altair",
    "sqlalchemy",
    "radar.bootstrap",
    "radar.core",
    "radar.store",
    "radar.values.snapshot",
    "dashboard.radar_chart",
    "dashboard.tables",
    "dashboard.charts",
    "dashboard.brief",
)


def main(argv: list[str] | None = None) -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
