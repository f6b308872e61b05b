"""Alerts: which movements are worth a message (pure rules), and delivering each one once (an outbox).

- :mod:`radar.alerts.config` — ``alerts.toml``: destinations, rules, quiet hours, cooldown, digest.
- :mod:`radar.alerts.rules` — pure: previous/current states, deltas, snapshots, triage, source signals
  and ``now`` in, :class:`~radar.alerts.rules.AlertIntent` out, each with a dedupe key.
- :mod:`radar.alerts.outbox` — the retry policy (pure) and the row shape of the outbox.
- :mod:`radar.alerts.slack`, :mod:`radar.alerts.webhook` — rendering and sending to one destination.
- :mod:`radar.alerts.deliver` — claim a due row, send it, record the outcome; the Notifier contract.
- :mod:`radar.alerts.service` — the I/O glue the :class:`radar.core.Radar` facade calls.

Importing this package imports nothing heavy: slack-sdk and httpx load when a message is sent.
"""
