"""`import radar` stays light: no torch, BERTopic, Streamlit or sentence-transformers."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "bertopic", "streamlit", "sentence_transformers", "umap", "hdbscan", "sklearn")


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {line.split(".")[0] for line in result.stdout.splitlines()}


def test_import_radar_is_light() -> None:
    loaded = _modules_after("import radar")
    assert not loaded & set(HEAVY)


def test_core_modules_stay_light_until_used() -> None:
    # The wiring, CLI, API and store may import at start-up without pulling the model stack.
    loaded = _modules_after(
        "import radar.bootstrap, radar.cli, radar.api.app, radar.store, radar.cache, collectors"
    )
    heavy = loaded & set(HEAVY)
    assert not heavy, f"heavy modules imported eagerly: {sorted(heavy)}"
