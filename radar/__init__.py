"""Vigie: a self-hosted weak-signal cultural trend radar.

Importing ``radar`` is cheap: no torch, BERTopic, Streamlit or network. Build a radar with
:func:`radar.bootstrap.make_radar`.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
