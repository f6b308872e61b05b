"""Benchmarks: corpora, peers (keyword burst, BERTrend), the scorer and the side-by-side comparison.

Every script here runs as ``python bench/<path>.py`` from the repository root (or with ``-m``); the shared
helpers are importable as ``bench.*`` (pure standard library, so the BERTrend venv can import them too).
"""
