"""Replaying a dated corpus as if time passed (``radar backtest``)."""
