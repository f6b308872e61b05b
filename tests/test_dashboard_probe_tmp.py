from pathlib import Path
import pytest
from tests.test_dashboard_apptest import seed_home, _db

def test_probe(home: Path) -> None:
    seed_home(home)
    db = _db(home)
    snap = db.snapshot()
    print("TOPICS", len(snap["topics"]), list(snap)[:20])
    print("PAYLOAD", len(db.topics_payload()["topics"]))
    db.close()
