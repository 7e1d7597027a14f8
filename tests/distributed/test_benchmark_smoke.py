"""benchmarks/cluster.py runs (on a few rows; the numbers are the lead's to measure)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]


def test_cluster_benchmark_runs(tmp_path):
    out = tmp_path / "table.md"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cluster.py"), "--quick",
                    "--rows", "2000", "--out", str(out)], check=True, capture_output=True,
                   timeout=300)
    table = out.read_text()
    assert "| value_and_grad, all rows |" in table and "| fit step, forward |" in table
    forward = next(line for line in table.splitlines() if line.startswith("| fit step, forward |"))
    control, data = (float(c.replace(",", "")) for c in forward.split("|")[2:4])
    # no parameter-sized message, and no shard copied between workers (Shards.near)
    assert 0 < control < 50_000 and data < 10_000
