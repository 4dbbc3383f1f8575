"""Shared by the training tests: a fast training run on the committed 2k fixture."""
from __future__ import annotations

from pathlib import Path

from phishnet_training.train import ROOT, main

FIXTURE = ROOT / "fixtures/urls-2k.csv"


def small_run(out: Path, *extra: str) -> int:
    """``main`` on ``fixtures/urls-2k.csv`` writing ``out``: 2 folds, 20 LightGBM trees, no parity fixture. ``extra``
    arguments come last, so they may override these (e.g. ``--parity-fixture <csv>``). Returns main's exit code."""
    return main(["--data", str(FIXTURE), "--out", str(out), "--folds", "2", "--n-estimators", "20",
                 "--candidates", "lightgbm", "--parity-fixture", "", *extra])
