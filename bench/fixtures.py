"""Where the benchmark scripts find their fixtures: ../shared/perf-fixtures next to the
repository, or $SIGSTORE_SHARED_DIR/perf-fixtures."""
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(os.environ.get("SIGSTORE_SHARED_DIR", ROOT.parent / "shared")) / "perf-fixtures"


def case(prefix):
    """The entry of cases.json whose id starts with `prefix` (a, b, c or d)."""
    return next(c for c in json.loads((FIXTURES / "cases.json").read_text())
                if c["id"].startswith(prefix))
