"""Corpus builders that write the backtest's JSONL input format (see issue 3, section 6)."""
