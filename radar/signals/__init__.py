"""Signal measures and the six states: pure functions of counts, thresholds and ``as_of``."""

from radar.signals.measures import Measures, SignalParams, TopicSeries, compute_measures
from radar.signals.states import STATES, Classification, classify

__all__ = [
    "STATES",
    "Classification",
    "Measures",
    "SignalParams",
    "TopicSeries",
    "classify",
    "compute_measures",
]
