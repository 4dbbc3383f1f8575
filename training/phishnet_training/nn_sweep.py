"""Experiment (issue 19): a small fastText-style neural model on ``char-ngram/v1`` as a third stacked part.

The model is sklearn's ``MLPClassifier`` on the sparse hashed character n-grams the serving code already computes
(optionally folded from 2^18 to fewer buckets by index modulo, then re-L2-normalized): first layer sparse X @ W1 + b1,
ReLU, one dense sigmoid output. For each check of ``sweep.py`` (later-time; leave-one-source-out per ``--held-out``)
it reports, on the check's test side:

* ``v5 fixed``: v5's trees + n-gram regression fitted on the whole training side, stacked with v5's coefficients
  from ``--stack-from`` (reproduces the card's numbers, as ``sweep.py`` does);
* ``trees`` / ``ngram`` / ``mlp <name>`` alone;
* ``stack2 refit``: the stacking LR on [logit p_tree, z_ngram] fitted on out-of-fold scores of the *training side*
  (GroupKFold by registered domain, ``--folds`` folds, real rows only), applied to the test side scored by the
  models fitted on the whole training side. ``stack3 <name>``: the same with [.., logit p_mlp] added;
  ``stack2 trees+<name>``: the same on [logit p_tree, logit p_mlp] (the MLP in place of the n-gram regression).

Nothing is chosen on the test side. Scores are cached per check / model / fold under ``--cache`` (features too), so
reruns with more MLP settings only fit what is new.

Usage::

    PYTHONPATH=training PYTHONHASHSEED=0 training/.venv/bin/python -m phishnet_training.nn_sweep \\
      --data /tmp/urls-v5-mix.csv.gz --later-time 2025-01-01 --held-out certpl: \\
      --stack-from models/phishnet-url-lexical-v5.tar.gz --cache /tmp/nn-cache --out /tmp/nn-sweep.json \\
      --mlp '{"name": "h32f16", "hidden": 32, "fold": 65536, "alpha": 1e-4, "max_iter": 5, "batch_size": 512}'

An MLP setting is a JSON object: ``name``, ``hidden`` (units), ``fold`` (buckets after folding; omitted = 2^18),
and any other keys passed to ``MLPClassifier`` (``alpha``, ``max_iter``, ``batch_size``, ``learning_rate_init``,
``solver``). ``early_stopping`` is always off and ``random_state`` is ``--seed`` (deterministic refits).
"""
from __future__ import annotations

import argparse
import io
import json
import pickle
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from phishnet_training import train as T
from phishnet_training.augment import SIGN_IN, SIGNED_IN, account_page_rows
from phishnet_training.metrics import summary
from phishnet_training.sweep import splits


def log(msg: str) -> None:
    print(f"[nn_sweep {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_matrix(data: Path, cache: Path, seed: int, sign_in: float, signed_in: float) -> T.Matrix:
    """sweep.py's matrix (the mix + the added account pages), pickled under ``cache`` after the first build."""
    f = cache / "matrix.pkl"
    if f.exists():
        return pickle.loads(f.read_bytes())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        m = T.feature_matrix(data, work)
        added = [account_page_rows(m.urls, m.y, m.groups, kind, frac, seed + k)
                 for k, (kind, frac) in enumerate(((SIGN_IN, sign_in), (SIGNED_IN, signed_in))) if frac > 0]
        if added:
            (work / "augment").mkdir()
            pd.concat(added).to_csv(work / "augment.csv", index=False)
            m = m.append(T.feature_matrix(work / "augment.csv", work / "augment"))
    f.write_bytes(pickle.dumps(m, protocol=4))
    return m


def fold_buckets(N: sp.csr_matrix, buckets: int | None) -> sp.csr_matrix:
    """Hashed n-grams folded to ``buckets`` columns (index mod buckets, duplicates summed), rows re-L2-normalized."""
    if not buckets or buckets >= N.shape[1]:
        return N
    # copies: sum_duplicates() works in place, and csr_matrix((data, indices, indptr)) would share N's arrays
    F = sp.csr_matrix((N.data.copy(), N.indices % buckets, N.indptr.copy()), shape=(N.shape[0], buckets))
    F.sum_duplicates()
    norm = np.sqrt(np.asarray(F.multiply(F).sum(axis=1)).ravel())
    return (sp.diags(1 / np.maximum(norm, 1e-12)) @ F).astype(np.float32).tocsr()


def fit_mlp(N: sp.csr_matrix, y: np.ndarray, setting: dict, seed: int):
    from sklearn.neural_network import MLPClassifier
    params = {k: v for k, v in setting.items() if k not in ("name", "hidden", "fold")}
    mlp = MLPClassifier(hidden_layer_sizes=(setting["hidden"],), activation="relu", early_stopping=False,
                        random_state=seed, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at a fixed max_iter is expected
        mlp.fit(N, y)
    return mlp


class Scores:
    """Per check: test-side scores of models fitted on the whole training side (fold "full") and out-of-fold scores
    on the training side (fold k of GroupKFold), cached as .npy files."""

    def __init__(self, cache: Path, check: str, tr: np.ndarray, te: np.ndarray, m: T.Matrix, folds: int, seed: int):
        self.dir = cache / check.replace(" ", "_").replace(":", "")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tr, self.te, self.m, self.seed = tr, te, m, seed
        self.folds = list(GroupKFold(n_splits=folds).split(tr, groups=m.groups[tr]))
        self.times: dict[str, list[float]] = {}

    def get(self, model: str, fit_predict) -> tuple[np.ndarray, np.ndarray]:
        """(oof over self.tr, test scores) of ``model``; fit_predict(train idx, apply idx) -> scores of apply idx."""
        oof = np.zeros(len(self.tr))
        for k, (a, b) in enumerate(self.folds):
            oof[b] = self._one(f"{model}.fold{k}", self.tr[a], self.tr[b], fit_predict)
        return oof, self._one(f"{model}.full", self.tr, self.te, fit_predict)

    def _one(self, key: str, fit_idx: np.ndarray, apply_idx: np.ndarray, fit_predict) -> np.ndarray:
        f = self.dir / f"{key}.npy"
        if f.exists():
            return np.load(f)
        t0 = time.time()
        s = np.asarray(fit_predict(fit_idx, apply_idx), dtype=np.float64)
        dt = time.time() - t0
        log(f"{self.dir.name} {key}: {dt:.1f}s ({len(fit_idx)} rows)")
        np.save(f, s)
        times = self.dir / "times.json"
        t = json.loads(times.read_text()) if times.exists() else {}
        t[key] = round(dt, 1)
        times.write_text(json.dumps(t, indent=1))
        return s


def fit_lr_stack(cols: list[np.ndarray], y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=1e6, max_iter=1000).fit(np.column_stack(cols), y)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--later-time", metavar="YYYY-MM-DD")
    ap.add_argument("--held-out", default="", metavar="PREFIX[,PREFIX]")
    ap.add_argument("--stack-from", required=True, type=Path)
    ap.add_argument("--mlp", action="append", default=[], help="an MLP setting (JSON object, see the module doc)")
    ap.add_argument("--folds", type=int, default=3, help="GroupKFold folds of the training side for the stacking's OOF scores")
    ap.add_argument("--checks", default="", help="comma-separated substrings: run only the checks whose name contains one")
    ap.add_argument("--cache", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--n-estimators", type=int, default=200)
    ap.add_argument("--augment-sign-in", type=float, default=0.25)
    ap.add_argument("--augment-signed-in", type=float, default=0.1)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    settings = [json.loads(s) for s in args.mlp]
    with tarfile.open(fileobj=io.BytesIO(args.stack_from.read_bytes())) as tar:
        cal = json.loads(tar.extractfile("manifest.json").read())["calibration"]
    stack_v5 = (cal["aTree"], cal["aNgram"], cal["b"])

    args.cache.mkdir(parents=True, exist_ok=True)
    m = load_matrix(args.data, args.cache, args.seed, args.augment_sign_in, args.augment_signed_in)
    log(f"matrix: {m.X.shape[0]} rows, n-grams {m.N.shape[1]} buckets, {m.N.nnz / m.N.shape[0]:.0f} non-zeros per row")
    checks = {name: (np.where(train)[0], np.where(test)[0])
              for name, (train, test) in splits(m, args.later_time, [p for p in args.held_out.split(",") if p], args.seed).items()}
    if args.checks:
        checks = {n: c for n, c in checks.items() if any(s in n for s in args.checks.split(","))}
    folded: dict[int | None, sp.csr_matrix] = {}

    def ngrams(buckets: int | None) -> sp.csr_matrix:
        if buckets not in folded:
            folded[buckets] = fold_buckets(m.N, buckets)
        return folded[buckets]

    results = []
    for name, (tr, te) in checks.items():
        S = Scores(args.cache, name, tr, te, m, args.folds, args.seed)
        y_te = m.y[te]
        real_tr = m.real[tr]
        y_tr = m.y[tr][real_tr]
        log(f"{name}: train {len(tr)} ({int(real_tr.sum())} real), test {len(te)}")
        tree_oof, tree_te = S.get("trees", lambda a, b: T.fit_tree("lightgbm", m, a, args.seed, args.n_estimators)
                                  .predict_proba(m.X[b])[:, 1])
        z_oof, z_te = S.get("ngram", lambda a, b: T.ngram_margin(m.N[b], *T.fit_ngram(m.N[a], m.y[a], args.seed)))
        res = {"check": name, "train": len(tr), "trainReal": int(real_tr.sum()), "test": len(te), "rows": {}}
        rows = res["rows"]
        rows["v5 fixed"] = summary(y_te, T.apply_stack(tree_te, z_te, *stack_v5))
        rows["trees"] = summary(y_te, tree_te)
        rows["ngram"] = summary(y_te, 1 / (1 + np.exp(-z_te)))
        base_oof = [T.raw_logit(tree_oof)[real_tr], z_oof[real_tr]]
        base_te = [T.raw_logit(tree_te), z_te]
        lr2 = fit_lr_stack(base_oof, y_tr)
        rows["stack2 refit"] = summary(y_te, lr2.predict_proba(np.column_stack(base_te))[:, 1]) | {
            "coef": [round(float(c), 4) for c in lr2.coef_[0]] + [round(float(lr2.intercept_[0]), 4)]}
        rows["stack2 refit"]["oofTrain"] = summary(y_tr, lr2.predict_proba(np.column_stack(base_oof))[:, 1])
        for st in settings:
            N = ngrams(st.get("fold"))
            p_oof, p_te = S.get(f"mlp-{st['name']}", lambda a, b: fit_mlp(N[a], m.y[a], st, args.seed).predict_proba(N[b])[:, 1])
            rows[f"mlp {st['name']}"] = summary(y_te, p_te) | {"oofTrain": summary(y_tr, p_oof[real_tr])}
            lrm = fit_lr_stack([base_oof[0], T.raw_logit(p_oof)[real_tr]], y_tr)  # the MLP in place of the n-gram LR
            rows[f"stack2 trees+{st['name']}"] = summary(y_te, lrm.predict_proba(np.column_stack([base_te[0], T.raw_logit(p_te)]))[:, 1]) | {
                "coef": [round(float(c), 4) for c in lrm.coef_[0]] + [round(float(lrm.intercept_[0]), 4)]}
            lr3 = fit_lr_stack(base_oof + [T.raw_logit(p_oof)[real_tr]], y_tr)
            rows[f"stack3 {st['name']}"] = summary(y_te, lr3.predict_proba(np.column_stack(base_te + [T.raw_logit(p_te)]))[:, 1]) | {
                "coef": [round(float(c), 4) for c in lr3.coef_[0]] + [round(float(lr3.intercept_[0]), 4)],
                "oofTrain": summary(y_tr, lr3.predict_proba(np.column_stack(base_oof + [T.raw_logit(p_oof)[real_tr]]))[:, 1])}
        times = S.dir / "times.json"
        res["seconds"] = json.loads(times.read_text()) if times.exists() else {}
        results.append(res)
        for k, v in rows.items():
            log(f"{name} | {k:22s} ROC-AUC {v['rocAuc']:.4f}  TPR@1% {v['tprAt1PctFpr']:.3f}  TPR@0.1% {v['tprAt01PctFpr']:.3f}"
                + (f"  coef {v['coef']}" if "coef" in v else ""))
        if args.out:
            args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
