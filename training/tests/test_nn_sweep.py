"""The neural n-gram experiment (phishnet_training.nn_sweep): folding keeps the input intact and rows unit-length, and
a run reports every model and stack per check, deterministically, with the stacking fitted on the training side."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from helpers import MIXED
from phishnet_training.nn_sweep import fold_buckets, main
from phishnet_training.train import ROOT


def test_fold_buckets_sums_colliding_columns_renormalizes_and_leaves_the_input_alone():
    N = sp.csr_matrix(np.array([[0.6, 0.0, 0.0, 0.8], [0.0, 1.0, 0.0, 0.0]], dtype=np.float32))
    before = N.toarray().copy()
    F = fold_buckets(N, 2)
    assert F.shape == (2, 2)
    np.testing.assert_allclose(F.toarray(), [[0.6 / np.hypot(0.6, 0.8), 0.8 / np.hypot(0.6, 0.8)], [0.0, 1.0]], rtol=1e-6)
    np.testing.assert_array_equal(N.toarray(), before)  # the unfolded matrix is unchanged
    assert fold_buckets(N, None) is N and fold_buckets(N, 8) is N


def test_nn_sweep_reports_models_and_stacks_per_check(tmp_path: Path):
    mlp = '{"name": "tiny", "hidden": 4, "fold": 4096, "max_iter": 2, "batch_size": 64}'
    args = ["--data", str(MIXED), "--later-time", "2025-01-01", "--held-out", "certpl:", "--n-estimators", "10",
            "--stack-from", str(ROOT / "models/phishnet-url-lexical-v5.tar.gz"), "--mlp", mlp]
    outs = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}.json"
        assert main(args + ["--cache", str(tmp_path / f"cache-{run}"), "--out", str(out)]) == 0
        outs.append(json.loads(out.read_text()))
    a, b = outs
    assert [r["check"] for r in a] == ["laterTime 2025-01-01", "heldOut certpl:"]
    for check in a:
        rows = check["rows"]
        assert set(rows) == {"v5 fixed", "trees", "ngram", "stack2 refit", "mlp tiny", "stack2 trees+tiny", "stack3 tiny"}
        assert len(rows["stack3 tiny"]["coef"]) == 4 and len(rows["stack2 refit"]["coef"]) == 3
        assert rows["mlp tiny"]["n"] == check["test"] and 0 <= rows["mlp tiny"]["rocAuc"] <= 1
    strip = lambda rs: [{k: v for k, v in r.items() if k != "seconds"} for r in rs]
    assert strip(a) == strip(b)  # deterministic with a cold cache
