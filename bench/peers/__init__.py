"""Peers measured against ``radar backtest``; each writes the same output format as the backtest."""
