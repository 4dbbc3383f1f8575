"""Shared by the training tests: a fast training run on the committed 2k fixture."""
from __future__ import annotations

from pathlib import Path

from phishnet_training.train import ROOT, main

FIXTURE = ROOT / "fixtures/urls-2k.csv"
# 2,000 rows of the v5 training mix (mix.py over urls-train.csv.gz and urls-fresh.csv.gz): 700 before 2023,
# 600 of 2023–2024, 700 of 2025, both classes in each period.
MIXED = ROOT / "fixtures/urls-mixed-2k.csv"


def small_run(out: Path, *extra: str, data: Path = FIXTURE) -> int:
    """``main`` on ``data`` (``fixtures/urls-2k.csv``) writing ``out``: 2 folds, 20 LightGBM trees, no parity fixture,
    no probes. ``extra`` arguments come last, so they may override these (e.g. ``--parity-fixture <csv>``). Returns
    main's exit code."""
    return main(["--data", str(data), "--out", str(out), "--folds", "2", "--n-estimators", "20",
                 "--candidates", "lightgbm", "--parity-fixture", "", "--probes", "", *extra])
