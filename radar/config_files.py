"""The default config files shipped in the ``config`` package, and writing them for ``radar init``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from radar.settings import CONFIG_FILES


def default_config_text(name: str) -> str:
    if name not in CONFIG_FILES:
        raise KeyError(name)
    return resources.files("config").joinpath(name).read_text(encoding="utf-8")


def write_default_config(config_dir: Path, *, force: bool = False) -> list[Path]:
    """Write each default file that is missing (all of them with ``force``); return those written."""
    config_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CONFIG_FILES:
        target = config_dir / name
        if target.exists() and not force:
            continue
        target.write_text(default_config_text(name), encoding="utf-8")
        written.append(target)
    return written
