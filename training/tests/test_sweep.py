"""The recipe sweep (phishnet_training.sweep): its checks are the training report's splits, and the TLD base rate is
estimated without the row's own label."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from helpers import MIXED
from phishnet_training.sweep import main, tld_rate_column, TLD_PRIOR_ROWS
from phishnet_training.train import ROOT


def test_tld_rate_is_out_of_fold_for_training_rows_and_smoothed_for_test_rows():
    # 12 training domains of TLD "com" (half phishing), one phishing domain of the rare TLD "zz"; one test row of "zz".
    tld = np.array(["com"] * 12 + ["zz", "zz"], dtype=object)
    y = np.array([0, 1] * 6 + [1, 1])
    groups = np.array([f"d{i}.com" for i in range(12)] + ["rare.zz", "test.zz"], dtype=object)
    tr, te = np.arange(13), np.array([13])
    col_tr, col_te = tld_rate_column(tld, y, groups, tr, te)
    # "zz" occurs in one training domain only: out of fold, its row never sees its own label, so it gets the base rate
    # of the other folds (no "zz" there), not a rate raised by itself.
    assert 0.3 < col_tr[12] < 0.6
    base = y[tr].mean()
    assert col_te[0] == (1 + TLD_PRIOR_ROWS * base) / (1 + TLD_PRIOR_ROWS)  # smoothed toward the base rate
    assert col_te[0] > base


def test_sweep_reports_both_checks_per_configuration(tmp_path: Path):
    out = tmp_path / "sweep.json"
    rows = [line.rsplit(",", 3) for line in MIXED.read_text().splitlines()[1:]]
    later = [lab for _, lab, _, fs in rows if fs >= "2025-01-01"]
    certpl = [lab for _, lab, src, _ in rows if src.startswith("certpl:")]
    assert main(["--data", str(MIXED), "--later-time", "2025-01-01", "--held-out", "certpl:", "--n-estimators", "20",
                 "--stack-from", str(ROOT / "models/phishnet-url-lexical-v5.tar.gz"), "--out", str(out),
                 "--config", '{"name": "a"}', "--config", '{"name": "a again"}',
                 "--config", '{"name": "b", "freshWeight": 3, "tldRate": true, "lightgbm": {"num_leaves": 7}}',
                 "--config", '{"name": "c", "balanceCells": true, "oldWeight": 2}']) == 0
    a, again, b, c = json.loads(out.read_text())
    lt, pl = "laterTime 2025-01-01", "heldOut certpl:"
    assert a[lt]["stacked"]["n"] == len(later) and a[lt]["stacked"]["positives"] == later.count("1")
    assert a[pl]["stacked"]["positives"] == len(certpl) > 0 and a[pl]["stacked"]["n"] > len(certpl)
    assert a[lt]["stacked"] == again[lt]["stacked"] and a[pl]["trees"] == again[pl]["trees"]  # deterministic
    assert b[lt]["trees"] != a[lt]["trees"]  # the configuration reaches the model
    assert b[lt]["train"] == a[lt]["train"]
    assert c[lt]["trees"] != a[lt]["trees"] and c[pl]["trees"] != a[pl]["trees"]  # train.py's tree weighting too
