"""Train a phishnet URL model and write its artifact (models/MODEL_CARD.md has the v5 command and its numbers).

    npm run train -- --data /tmp/urls-v5-mix.csv.gz --out models/phishnet-url-lexical-v5.tar.gz --version 5.0.0 \
      --folds 3 --later-time 2025-01-01 --leave-one-source-out jpcert:,phishtank:2025,certpl: \
      --compare-artifact models/phishnet-url-lexical-v4.tar.gz --report models/phishnet-url-lexical-v5.cv.json

Steps (each printed as it runs):
1. Feature matrices from the labelled CSV via the TypeScript feature CLI (``tools/src/features-cli.ts``): the one
   implementation of the dense set named by ``--feature-set`` (``url-lexical/v2`` by default, ``url-lexical/v1``
   for the v1–v4 recipes) and ``char-ngram/v1`` (sparse hashed character n-grams), shared with serving.
   Then counterfactual augmentation (``augment.py``, ``--augment-sign-in``, ``--augment-signed-in``): legitimate
   sign-in pages and pages behind the sign-in (mailbox, orders, billing) on samples of the legitimate registered
   domains, so that those words alone do not read as phishing. Added rows are trained on but never scored in any
   metric, stacking fit or threshold.
2. K-fold cross-validation grouped by registered domain (StratifiedGroupKFold): the tree candidates on the dense
   set, a logistic regression on ``char-ngram/v1``, and one-feature baselines; out-of-fold (OOF) scores feed the
   stacking fit. Random folds are reported for comparison only: the checks that predict the real world are
3. the later-time check (``--later-time``: train before a date, test on both classes after it, grouped by
   registered domain), leave-one-source-out (``--leave-one-source-out``), each with per scheme × path-or-query cell
   and per source tables, and with ``--compare-artifact`` the previous model as shipped and its recipe on the same
   split.
4. The better tree candidate and the n-gram model are refitted on all rows. Stacking and calibration in one step: a
   logistic regression on the two OOF scores ``[logit(p_tree), z_ngram]`` gives the calibrated score
   ``sigmoid(a_tree * logit(p_tree) + a_ngram * z_ngram + b)``. With ``--no-ngram`` it is plain Platt scaling.
   Thresholds for ``suspicious`` (1 % FPR) / ``phishing`` (0.1 % FPR): with ``--later-time``, the stricter of the
   later-time check's and the OOF estimate; else the OOF one.
5. ONNX export of the tree model (onnxmltools), n-gram weights as little-endian float32, parity check on the
   fixture, the legitimate probes (``--probes``) scored by the final model, manifest, deterministic ``.tar.gz``.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

from .augment import SIGN_IN, SIGNED_IN, account_page_rows, is_added
from .metrics import summary, threshold_at_fpr

ROOT = Path(__file__).resolve().parents[2]
FEATURE_SETS = ("url-lexical/v1", "url-lexical/v2")  # dense sets of features/feature-sets.ts that training can ask for
FEATURE_SET = "url-lexical/v2"  # the default since model v5
V1_COLUMNS = 1076  # url-lexical/v2 starts with every url-lexical/v1 column, in order (52 named + 1024 token buckets)
# Sources of urls-fresh.csv.gz (2023-01 … 2025-12) and the homepages mix.py derives from them; every other source is
# urls-train.csv.gz's (to early 2023): "v4's recipe" trains on those only.
FRESH_SOURCES = ("jpcert:", "phishtank:2025", "certpl:", "kagi-smallweb:", "ruanyf-weekly:", "twir:")
NGRAM_FEATURE_SET = "char-ngram/v1"
NGRAM_WEIGHTS_FILE = "ngram-weights.f32"
NGRAM_C = 10.0  # inverse L2 strength of the n-gram logistic regression (chosen on grouped folds: 3 < 10 ≈ 30)
# Decision thresholds: false-positive rates on legitimate URLs that each verdict may cost. With --later-time they are
# read off the later-time check's legitimate rows (what a browser meets next), else off the out-of-fold scores.
SUSPICIOUS_FPR = 0.01
PHISHING_FPR = 0.001
# LightGBM parameters over make_lightgbm's defaults (--num-leaves, --min-child-samples, --colsample-bytree) and the
# tree model's sample weighting (--balance-cells, --old-weight); set once by main(), read by every tree fit.
LIGHTGBM_OVERRIDES: dict = {}
TREE_WEIGHTING = {"balanceCells": False, "oldWeight": 1.0}
LATER_PERIOD = "2025-01-01"  # --balance-cells: fresh rows before / on or after this date are two periods


@dataclass
class Matrix:
    X: sp.csr_matrix  # float32 [n, features]
    N: sp.csr_matrix  # float32 [n, NGRAM_BUCKETS], L2-normalized hashed character n-gram counts
    y: np.ndarray  # int [n]
    groups: np.ndarray  # registered domain per row
    sources: np.ndarray
    first_seen: np.ndarray  # ISO date strings, "" where the source gives none
    urls: np.ndarray  # the URL of each row, as read
    names: list[str]

    @cached_property
    def cells(self) -> np.ndarray:
        """str [n]: scheme × path-or-query cell of each row ("https no path", "http path", …), from the URL as read."""
        return np.array([url_cell(u) for u in self.urls], dtype=object)

    @cached_property
    def fresh(self) -> np.ndarray:
        """bool [n]: rows of urls-fresh.csv.gz (and the homepages mix.py derives from them)."""
        return pd.Series(self.sources, dtype=object).str.startswith(FRESH_SOURCES).to_numpy(dtype=bool)

    @cached_property
    def real(self) -> np.ndarray:
        """bool [n]: rows from the labelled data, not added by augmentation. Metrics, stacking and thresholds use these only."""
        return ~is_added(self.sources)

    def append(self, other: "Matrix") -> "Matrix":
        assert other.names == self.names, "feature columns differ"
        return Matrix(X=sp.vstack([self.X, other.X]).tocsr(), N=sp.vstack([self.N, other.N]).tocsr(),
                      y=np.r_[self.y, other.y], groups=np.r_[self.groups, other.groups], sources=np.r_[self.sources, other.sources],
                      first_seen=np.r_[self.first_seen, other.first_seen], urls=np.r_[self.urls, other.urls], names=self.names)


def url_cell(url: str) -> str:
    """Scheme × path-or-query cell of a URL: ``"<scheme> path"`` when the path is other than "" or "/" or a query is
    present, else ``"<scheme> no path"``."""
    from urllib.parse import urlsplit
    try:
        s = urlsplit(url)
    except ValueError:
        return "unparsed"
    return f"{s.scheme.lower()} {'path' if s.path not in ('', '/') or s.query else 'no path'}"


def log(msg: str) -> None:
    print(f"[train] {msg}", file=sys.stderr, flush=True)


def feature_matrix(data: Path, work: Path, feature_set: str = FEATURE_SET) -> Matrix:
    """Runs the TypeScript feature CLI on ``data`` for ``feature_set`` and loads its output."""
    out = work / "features"
    subprocess.run(
        ["bash", str(ROOT / "scripts/node.sh"), "tools/src/features-cli.ts", "--data", str(data.resolve()), "--out", str(out),
         "--feature-set", feature_set],
        check=True, cwd=ROOT,
    )
    meta = json.loads(Path(f"{out}.json").read_text())
    if meta["featureSet"] != feature_set:
        raise SystemExit(f"feature CLI produced {meta['featureSet']}, training expects {feature_set}")
    names = meta["features"]
    rows = pd.read_csv(f"{out}.rows.csv", dtype={"group": str, "source": str, "first_seen": str, "url": str}, keep_default_na=False)
    # Mostly-zero token columns: a CSR matrix keeps LightGBM/XGBoost binning and training proportional to non-zeros.
    X = sp.csr_matrix(np.fromfile(f"{out}.f32", dtype="<f4").reshape(meta["rows"], len(names)))
    ng = meta["ngrams"]
    if ng["featureSet"] != NGRAM_FEATURE_SET:
        raise SystemExit(f"feature CLI produced {ng['featureSet']}, training expects {NGRAM_FEATURE_SET}")
    N = sp.csr_matrix((np.fromfile(f"{out}.ngrams.data", dtype="<f4"), np.fromfile(f"{out}.ngrams.indices", dtype="<u4"),
                       np.fromfile(f"{out}.ngrams.indptr", dtype="<u4")), shape=(meta["rows"], ng["buckets"]))
    assert len(rows) == meta["rows"] == N.shape[0], "feature CLI wrote inconsistent row counts"
    return Matrix(X=X, N=N, y=rows["label"].to_numpy(dtype=np.int64), groups=rows["group"].to_numpy(),
                  sources=rows["source"].to_numpy(), first_seen=rows["first_seen"].to_numpy(), urls=rows["url"].to_numpy(),
                  names=names)


def make_lightgbm(seed: int, n_estimators: int, overrides: bool = True):
    """v1–v5's LightGBM parameters, with ``LIGHTGBM_OVERRIDES`` unless ``overrides`` is False (a previous recipe)."""
    import lightgbm as lgb
    return lgb.LGBMClassifier(
        n_estimators=n_estimators, learning_rate=0.1, num_leaves=63, min_child_samples=40, subsample=0.8,
        subsample_freq=1, colsample_bytree=0.8, reg_lambda=1.0, random_state=seed, deterministic=True,
        force_row_wise=True, n_jobs=2, verbose=-1,
    ).set_params(**(LIGHTGBM_OVERRIDES if overrides else {}))


def make_xgboost(seed: int, n_estimators: int):
    import xgboost as xgb
    return xgb.XGBClassifier(
        n_estimators=n_estimators, learning_rate=0.1, max_depth=8, min_child_weight=5, subsample=0.8,
        colsample_bytree=0.8, reg_lambda=1.0, tree_method="hist", random_state=seed, n_jobs=2,
    )


CANDIDATES = {"lightgbm": make_lightgbm, "xgboost": make_xgboost}


def tree_weights(m: Matrix, idx: np.ndarray) -> np.ndarray | None:
    """Sample weights (float64 [len(idx)]) of the tree model's training rows ``idx``, or None (all 1) by default.

    ``TREE_WEIGHTING["oldWeight"]``: weight of the rows that are not from urls-fresh.csv.gz (its 2023–2025 sources
    and their homepages), i.e. urls-train.csv.gz's rows and the added account pages. ``balanceCells``: then, within
    each period (old: those rows; fresh rows first seen before ``LATER_PERIOD``; on or after it) × scheme ×
    path-or-query cell of ``idx``, both classes get half of the cell's weight, so that the mix's 1.5 : 1 cap leaves
    no class prior per cell that a tree can read off the URL's shape. The n-gram model is not weighted."""
    old_w, balance = TREE_WEIGHTING["oldWeight"], TREE_WEIGHTING["balanceCells"]
    if old_w == 1.0 and not balance:
        return None
    old = ~m.fresh[idx]
    w = np.where(old, old_w, 1.0)
    if balance:
        period = np.where(old, "old", np.where(m.first_seen[idx] < LATER_PERIOD, "fresh-before", "fresh-after"))
        cell = pd.Series(m.cells[idx]).astype(str) + "|" + period
        cell_label = cell + "|" + m.y[idx].astype(str)
        w = w * (cell.map(cell.value_counts()).to_numpy() / 2) / cell_label.map(cell_label.value_counts()).to_numpy()
    return w


def fit_tree(name: str, m: Matrix, idx: np.ndarray, seed: int, n_estimators: int, for_export: bool = False):
    """The tree candidate ``name`` fitted on rows ``idx`` of ``m`` with ``tree_weights``."""
    return CANDIDATES[name](seed, n_estimators).fit(model_input(name, m.X[idx], for_export), m.y[idx],
                                                     sample_weight=tree_weights(m, idx))


def fit_ngram(N: sp.csr_matrix, y: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """Logistic regression on ``char-ngram/v1``: (weights float64 [buckets], bias). liblinear is single-threaded and
    seeded, so refits are deterministic."""
    lr = LogisticRegression(C=NGRAM_C, solver="liblinear", tol=1e-3, random_state=seed)
    lr.fit(N, y)
    return lr.coef_[0].astype(np.float64), float(lr.intercept_[0])


def ngram_margin(N: sp.csr_matrix, w: np.ndarray, bias: float) -> np.ndarray:
    """z = N · w + bias (a logit), float64 [n]."""
    return np.asarray(N @ w, dtype=np.float64).ravel() + bias


def model_input(name: str, X: sp.csr_matrix, for_export: bool = False):
    """Training input for a candidate. LightGBM reads CSR with absent entries as 0.0, exactly like the dense vector
    served in production. XGBoost reads absent CSR entries as *missing*; that is fine for comparing candidates in
    cross-validation (and dense XGBoost on 1k+ columns is too slow here), but the model that is exported must see
    the zeros that ONNX will see, so XGBoost's final refit (``for_export``) gets the dense matrix."""
    return X.toarray() if name == "xgboost" and for_export else X


def raw_logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def fit_platt(p_raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling on the logit of the raw probability: p = sigmoid(a * logit(raw) + b)."""
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(raw_logit(p_raw).reshape(-1, 1), y)
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def apply_platt(p_raw: np.ndarray, a: float, b: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(a * raw_logit(p_raw) + b)))


def fit_stack(p_tree: np.ndarray, z: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Stacking + calibration: p = sigmoid(a_tree * logit(p_tree) + a_ngram * z + b), fitted on OOF scores."""
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(np.column_stack([raw_logit(p_tree), z]), y)
    return float(lr.coef_[0][0]), float(lr.coef_[0][1]), float(lr.intercept_[0])


def apply_stack(p_tree: np.ndarray, z: np.ndarray, a_tree: float, a_ngram: float, b: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(a_tree * raw_logit(p_tree) + a_ngram * z + b)))


def fold_auc(m: Matrix, te: np.ndarray, score: np.ndarray) -> float:
    te = te[m.real[te]]
    return roc_auc_score(m.y[te], score[te])


def cross_validate(m: Matrix, folds: int, seed: int, n_estimators: int, candidates: list[str], ngram: bool) -> dict:
    """Grouped K-fold OOF scores per tree candidate, OOF n-gram margins (when ``ngram``), one-feature baselines."""
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(m.X, m.y, m.groups))
    oof = {name: np.zeros(len(m.y)) for name in candidates}
    oof_z = np.zeros(len(m.y)) if ngram else None
    for k, (tr, te) in enumerate(splits):
        shared = set(m.groups[tr]) & set(m.groups[te])
        assert not shared, f"fold {k}: registered domains in both train and test: {list(shared)[:5]}"
        for name in candidates:
            t0 = time.time()
            model = fit_tree(name, m, tr, seed, n_estimators)
            oof[name][te] = model.predict_proba(model_input(name, m.X[te]))[:, 1]
            log(f"fold {k + 1}/{folds} {name}: {time.time() - t0:.1f}s AUC {fold_auc(m, te, oof[name]):.4f}")
        if oof_z is not None:
            t0 = time.time()
            oof_z[te] = ngram_margin(m.N[te], *fit_ngram(m.N[tr], m.y[tr], seed))
            log(f"fold {k + 1}/{folds} ngram: {time.time() - t0:.1f}s AUC {fold_auc(m, te, oof_z):.4f}")
    # One-feature baselines on the real rows: each feature's raw value as the score (sign chosen on the data, which
    # flatters them).
    baselines = {}
    real, y = m.real, m.y[m.real]
    for j, name in enumerate(m.names):
        if name.startswith("tok_"):  # token buckets are not meaningful one-feature baselines
            continue
        x = m.X[real][:, [j]].toarray().ravel().astype(np.float64)
        if np.unique(x).size < 2:
            continue
        auc = roc_auc_score(y, x)
        baselines[name] = x if auc >= 0.5 else -x
    best = sorted(baselines, key=lambda n: -roc_auc_score(y, baselines[n]))[:3]
    return {"oof": oof, "oofNgram": oof_z, "baselines": {n: baselines[n] for n in best}, "splits": splits}


def in_groups(groups: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Boolean mask [n]: is ``groups[i]`` among ``members``. (``np.isin`` on these object arrays of strings took
    about 50 s per call on the 194k-row file; a hash lookup takes milliseconds.)"""
    return pd.Series(groups).isin(set(members)).to_numpy()


def cell_table(m: Matrix, te: np.ndarray, p: np.ndarray) -> dict:
    """Per scheme × path-or-query cell of the test rows ``te`` (indices) scored ``p``: row counts, ROC-AUC (cells with
    both classes), and TPR / FPR at the check's own 1 % and 0.1 % FPR thresholds (read off all its legitimate rows, so
    a cell's FPR shows where the false positives land)."""
    y, cells = m.y[te], m.cells[te]
    t1, t01 = threshold_at_fpr(y, p, 0.01), threshold_at_fpr(y, p, 0.001)
    out = {}
    for c in sorted(set(cells)):
        sel = cells == c
        yy, pp = y[sel], p[sel]
        pos, neg = yy == 1, yy == 0
        out[c] = {"legitimate": int(neg.sum()), "phishing": int(pos.sum()),
                  "rocAuc": float(roc_auc_score(yy, pp)) if pos.any() and neg.any() else None,
                  "tprAt1PctFpr": float((pp[pos] >= t1).mean()) if pos.any() else None,
                  "tprAt01PctFpr": float((pp[pos] >= t01).mean()) if pos.any() else None,
                  "fprAt1PctThreshold": float((pp[neg] >= t1).mean()) if neg.any() else None,
                  "fprAt01PctThreshold": float((pp[neg] >= t01).mean()) if neg.any() else None}
    return out


def source_table(m: Matrix, te: np.ndarray, p: np.ndarray) -> dict:
    """Per source of the test rows: rows, and the share at or above the check's 1 % and 0.1 % FPR thresholds (TPR for
    a phishing source, FPR for a legitimate one)."""
    y, src = m.y[te], m.sources[te]
    t1, t01 = threshold_at_fpr(y, p, 0.01), threshold_at_fpr(y, p, 0.001)
    return {s: {"label": int(y[src == s][0]), "n": int((src == s).sum()),
                "atOrAbove1PctFprThreshold": float((p[src == s] >= t1).mean()),
                "atOrAbove01PctFprThreshold": float((p[src == s] >= t01).mean())} for s in sorted(set(src))}


@dataclass
class Reference:
    """A bundled artifact to compare with (``--compare-artifact``): its manifest, ONNX bytes and n-gram weights."""
    path: Path
    manifest: dict
    onnx: bytes
    ngram: tuple[np.ndarray, float] | None

    @staticmethod
    def load(path: Path) -> "Reference":
        with tarfile.open(path, "r:gz") as tar:
            files = {mem.name: tar.extractfile(mem).read() for mem in tar.getmembers()}
        manifest = json.loads(files["manifest.json"])
        ng = manifest.get("ngramModel")
        w = (np.frombuffer(files[ng["weights"]["file"]], dtype="<f4").astype(np.float64), float(ng["bias"])) if ng else None
        return Reference(path, manifest, files["model.onnx"], w)

    def scores(self, m: Matrix, idx: np.ndarray) -> np.ndarray:
        """The artifact's calibrated scores for rows ``idx`` of ``m``, whose dense columns must start with the
        artifact's feature columns (url-lexical/v2 starts with url-lexical/v1's)."""
        import onnxruntime as ort
        k = len(self.manifest["features"])
        if list(m.names[:k]) != list(self.manifest["features"]):
            raise SystemExit(f"{self.path}: its features are not the first {k} columns of {m.names[0]}…")
        sess = ort.InferenceSession(self.onnx, providers=["CPUExecutionProvider"])
        raw = np.concatenate([sess.run([self.manifest["output"]["name"]],
                                       {self.manifest["input"]["name"]: m.X[idx[i:i + 20000]][:, :k].toarray()})[0][:, self.manifest["output"]["column"]]
                              for i in range(0, len(idx), 20000)] or [np.zeros(0)])
        cal = self.manifest["calibration"]
        if cal["method"] == "stacked-logistic":
            return apply_stack(raw, ngram_margin(m.N[idx], *self.ngram), cal["aTree"], cal["aNgram"], cal["b"])
        return apply_platt(raw, cal["a"], cal["b"])


def holdout(m: Matrix, train: np.ndarray, test: np.ndarray, seed: int, n_estimators: int, tree: str,
            stack: tuple[float, float, float] | None, reference: Reference | None = None,
            refit_reference: bool = False) -> tuple[dict, np.ndarray, np.ndarray]:
    """Fits the tree model (and the n-gram model when ``stack`` is given) on the ``train`` rows and scores the
    ``test`` rows (bool masks [n]; added rows are never tested). Returns (report, test indices, final scores): row
    counts, metric summaries of the tree model, the n-gram model and their stack with the given coefficients (those
    fitted on the CV's out-of-fold scores), the per-cell and per-source tables of the final score, and with a
    ``reference`` artifact (model v4) the same metrics for (a) that artifact as shipped and, with ``refit_reference``,
    (b) its recipe (its dense columns, urls-train.csv.gz's rows only, its stacking coefficients) refitted on this
    split's training rows."""
    test = test & m.real
    tr, te = np.where(train)[0], np.where(test)[0]
    p_tree = fit_tree(tree, m, tr, seed, n_estimators).predict_proba(model_input(tree, m.X[te]))[:, 1]
    out = {"train": int(m.real[tr].sum()), "trainAdded": int((~m.real[tr]).sum()), "testPhishing": int(m.y[te].sum()),
           "testLegitimate": int((m.y[te] == 0).sum()), tree: summary(m.y[te], p_tree)}
    final = p_tree
    if stack is not None:
        z = ngram_margin(m.N[te], *fit_ngram(m.N[tr], m.y[tr], seed))
        out["ngram"] = summary(m.y[te], 1 / (1 + np.exp(-z)))
        final = apply_stack(p_tree, z, *stack)
        out["stacked"] = summary(m.y[te], final)
    out["cells"] = cell_table(m, te, final)
    out["sources"] = source_table(m, te, final)
    if reference is not None:
        name = reference.manifest["version"]
        p_ref = reference.scores(m, te)
        out[f"reference {name} as shipped"] = summary(m.y[te], p_ref) | {"cells": cell_table(m, te, p_ref)}
    if reference is not None and refit_reference:
        name = reference.manifest["version"]
        k = len(reference.manifest["features"])
        tr_old = tr[~m.fresh[tr]]
        cal = reference.manifest["calibration"]
        recipe = make_lightgbm(seed, n_estimators, overrides=False) if tree == "lightgbm" else CANDIDATES[tree](seed, n_estimators)
        p_old = recipe.fit(m.X[tr_old][:, :k], m.y[tr_old]).predict_proba(m.X[te][:, :k])[:, 1]
        p_rec = (apply_stack(p_old, ngram_margin(m.N[te], *fit_ngram(m.N[tr_old], m.y[tr_old], seed)), cal["aTree"], cal["aNgram"], cal["b"])
                 if cal["method"] == "stacked-logistic" else apply_platt(p_old, cal["a"], cal["b"]))
        out[f"reference {name} recipe"] = summary(m.y[te], p_rec) | {"train": int(m.real[tr_old].sum()), "cells": cell_table(m, te, p_rec)}
    return out, te, final


def temporal_holdout(m: Matrix, date: str, seed: int, n_estimators: int, tree: str, stack: tuple[float, float, float] | None) -> dict:
    """The v2–v4 later-time check beside the grouped CV: test on phishing first seen on or after ``date`` plus a
    random 20 % of the legitimate registered domains; train on everything else except those domains (so no registered
    domain is on both sides) and except later phishing. Undated phishing (collections of 2014–2019) stays in
    training. Superseded by ``later_time`` (both classes of the later period)."""
    later = (m.y == 1) & (m.first_seen >= date)
    legit_domains = np.unique(m.groups[(m.y == 0) & m.real])
    held = np.random.default_rng(seed).choice(legit_domains, size=len(legit_domains) // 5, replace=False)
    test = later | ((m.y == 0) & m.real & in_groups(m.groups, held))
    train = ~in_groups(m.groups, m.groups[test]) & ~later
    log(f"temporal hold-out {date}: train {int(train.sum())}, test {int(later.sum())} later phishing + {int((test & ~later).sum())} legitimate")
    out, _, _ = holdout(m, train, test, seed, n_estimators, tree, stack)
    return {"date": date} | out


def later_time(m: Matrix, date: str, seed: int, n_estimators: int, tree: str, stack: tuple[float, float, float] | None,
               reference: Reference | None) -> tuple[dict, np.ndarray, np.ndarray]:
    """The later-time check (protocol step 1): train on rows first seen before ``date`` (undated rows are the list
    snapshots of 2014–2019: before), test on the real rows of both classes first seen on or after it; every training
    row whose registered domain occurs in the test is dropped (grouped by registered domain)."""
    test = m.real & (m.first_seen >= date)
    train = ~test & (m.first_seen < date) & ~in_groups(m.groups, m.groups[test])
    log(f"later-time check {date}: train {int(train.sum())}, test {int((test & (m.y == 1)).sum())} phishing + {int((test & (m.y == 0)).sum())} legitimate")
    out, te, p = holdout(m, train, test, seed, n_estimators, tree, stack, reference, refit_reference=True)
    return {"date": date} | out, te, p


def leave_source_out(m: Matrix, prefix: str, seed: int, n_estimators: int, tree: str, stack: tuple[float, float, float] | None,
                     reference: Reference | None) -> dict:
    """Leave-one-source-out (protocol step 2): test on the real rows whose ``source`` starts with ``prefix``; when
    they hold one class only (a phishing feed, a legitimate list), the other class of the test is a seeded 20 % of
    the registered domains of that class among urls-fresh.csv.gz's rows (2023–2025) of other sources. Training
    drops the source and every registered domain of the test."""
    src = m.real & pd.Series(m.sources, dtype=object).str.startswith(prefix).to_numpy(dtype=bool)
    if not src.any():
        raise SystemExit(f"--leave-one-source-out {prefix}: no rows")
    test = src.copy()
    for other in {0, 1} - set(np.unique(m.y[src]).tolist()):
        pool = m.real & m.fresh & (m.y == other) & ~src
        domains = np.unique(m.groups[pool])
        held = np.random.default_rng(seed).choice(domains, size=len(domains) // 5, replace=False)
        test |= pool & in_groups(m.groups, held)
    train = ~test & ~src & ~in_groups(m.groups, m.groups[test])
    log(f"leave-one-source-out {prefix}: train {int(train.sum())}, test {int(src.sum())} of the source + {int((test & ~src).sum())} other")
    out, _, _ = holdout(m, train, test, seed, n_estimators, tree, stack, reference)
    return {"sourcePrefix": prefix} | out


def source_holdout(m: Matrix, prefix: str, seed: int, n_estimators: int, tree: str, stack: tuple[float, float, float] | None) -> dict:
    """An other-source check: test on every real row whose ``source`` starts with ``prefix`` (both classes, e.g.
    ``pdd`` or ``phishstorm``); train on the rest minus every registered domain of the test side. Raises
    ``SystemExit`` when the test side lacks one of the classes."""
    test = m.real & pd.Series(m.sources, dtype=object).str.startswith(prefix).to_numpy(dtype=bool)
    if len(np.unique(m.y[test])) < 2:
        raise SystemExit(f"--source-holdout {prefix}: its rows must hold both classes (found {int(test.sum())} rows)")
    train = ~in_groups(m.groups, m.groups[test]) & ~test
    log(f"source hold-out {prefix}: train {int(train.sum())}, test {int(test.sum())}")
    out, _, _ = holdout(m, train, test, seed, n_estimators, tree, stack)
    return {"sourcePrefix": prefix} | out


def rank_scores(x: np.ndarray) -> np.ndarray:
    """Maps a raw feature to 0..1 by rank so probability metrics are defined for baselines."""
    order = x.argsort(kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(len(x))
    return r / max(len(x) - 1, 1)


def per_source(m: Matrix, p: np.ndarray) -> dict:
    out = {}
    for s in sorted(set(m.sources)):
        sel = m.sources == s
        out[s] = {"n": int(sel.sum()), "positives": int(m.y[sel].sum()),
                  "meanScore": float(p[sel].mean()), "flaggedAtPhishingThreshold": None}
    return out


def export_onnx(model, name: str, n_features: int) -> bytes:
    from onnxmltools.convert.common.data_types import FloatTensorType
    import onnxmltools
    types = [("features", FloatTensorType([None, n_features]))]
    if name == "lightgbm":
        onx = onnxmltools.convert_lightgbm(model, initial_types=types, zipmap=False, target_opset=15)
    else:
        onx = onnxmltools.convert_xgboost(model, initial_types=types, target_opset=15)
    # onnxmltools names the graph with a random UUID; a fixed name keeps the artifact byte-for-byte reproducible.
    onx.graph.name = f"phishnet-{name}"
    # ... and its opset list comes from a set (order varies with PYTHONHASHSEED): sort it by domain.
    opsets = sorted(((o.domain, o.version) for o in onx.opset_import))
    del onx.opset_import[:]
    for domain, version in opsets:
        onx.opset_import.add(domain=domain, version=version)
    return onx.SerializeToString()


def onnx_output_names(onnx_bytes: bytes) -> tuple[str, str]:
    import onnx
    g = onnx.load_from_string(onnx_bytes).graph
    return g.input[0].name, g.output[1].name  # outputs: label, probabilities [n, 2]


def deterministic_targz(files: dict[str, bytes]) -> bytes:
    """tar.gz with sorted entries, zero mtimes, root owner: same inputs → same bytes → same sha256."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode, info.uid, info.gid = len(files[name]), 0, 0o644, 0, 0
            tar.addfile(info, io.BytesIO(files[name]))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    global NGRAM_C
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, type=Path, help="labelled CSV (url,label[,source]), plain or .gz")
    ap.add_argument("--out", required=True, type=Path, help="artifact path (.tar.gz)")
    ap.add_argument("--name", default="phishnet-url-lexical")
    ap.add_argument("--version", default="5.0.0")
    ap.add_argument("--feature-set", default=FEATURE_SET, choices=FEATURE_SETS, help="dense feature set (features/feature-sets.ts)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--n-estimators", type=int, default=200,
                    help="trees (200: with the n-gram stack, grouped CV equals 400 trees within 0.001 at half the scoring cost)")
    ap.add_argument("--candidates", default="lightgbm",
                    help="tree models to compare in the grouped CV (v1–v4 compared lightgbm,xgboost; LightGBM won every time)")
    ap.add_argument("--ngram-c", type=float, default=NGRAM_C, help="inverse L2 strength of the n-gram logistic regression")
    ap.add_argument("--num-leaves", type=int, help="LightGBM num_leaves (default 63)")
    ap.add_argument("--min-child-samples", type=int, help="LightGBM min_child_samples (default 40)")
    ap.add_argument("--colsample-bytree", type=float, help="LightGBM colsample_bytree (default 0.8)")
    ap.add_argument("--balance-cells", action="store_true",
                    help="weight the tree model's rows so both classes weigh the same within each period × scheme × "
                         "path-or-query cell (tree_weights)")
    ap.add_argument("--old-weight", type=float, default=1.0,
                    help="sample weight of the tree model's rows not from urls-fresh.csv.gz (tree_weights)")
    ap.add_argument("--no-ngram", dest="ngram", action="store_false",
                    help="tree model only (no char-ngram/v1 logistic regression; Platt calibration)")
    ap.add_argument("--augment-sign-in", type=float, default=0.25, metavar="FRACTION",
                    help="add one legitimate sign-in page URL for this fraction of the legitimate registered domains "
                         "(augment.py; 0 turns it off). Metrics, stacking and thresholds use the real rows only")
    ap.add_argument("--augment-signed-in", type=float, default=0.1, metavar="FRACTION",
                    help="add one legitimate page behind the sign-in (mailbox, orders, billing…) for this fraction of the "
                         "legitimate registered domains, another sample (augment.py; 0 turns it off)")
    ap.add_argument("--parity-fixture", type=lambda s: Path(s) if s else None, default=ROOT / "fixtures/urls-2k.csv",
                    help="labelled CSV whose native scores are written next to the artifact for the TS parity test")
    ap.add_argument("--report", type=Path, help="write the CV report JSON here too")
    ap.add_argument("--temporal-holdout", metavar="YYYY-MM-DD",
                    help="also report a later-time hold-out: phishing first seen on/after this date (needs first_seen)")
    ap.add_argument("--later-time", metavar="YYYY-MM-DD",
                    help="the later-time check: train on rows first seen before this date, test on both classes after it, "
                         "grouped by registered domain; the manifest's thresholds are then read off its legitimate rows")
    ap.add_argument("--leave-one-source-out", metavar="PREFIX[,PREFIX]",
                    help="per prefix: test on that source (the other class from 20 %% of the 2023–2025 domains), train without "
                         "it and the test's registered domains (e.g. jpcert:,phishtank:2025,certpl:,kagi-smallweb:)")
    ap.add_argument("--compare-artifact", type=Path,
                    help="score this artifact (as shipped) and refit its recipe on every check's split, for comparison")
    ap.add_argument("--probes", default=",".join(str(p.relative_to(ROOT)) for p in sorted((ROOT / "fixtures").glob("benign-*.csv"))),
                    help="comma-separated legitimate probe CSVs: the final model's suspicious/phishing counts go in the report")
    ap.add_argument("--source-holdout", metavar="PREFIX[,PREFIX]",
                    help="also report other-source checks: per prefix, test on the rows whose source starts with it "
                         "(both classes), train on the rest minus their registered domains (e.g. pdd,phishstorm)")
    args = ap.parse_args(argv)
    NGRAM_C = args.ngram_c
    LIGHTGBM_OVERRIDES.clear()
    LIGHTGBM_OVERRIDES.update({k: v for k, v in (("num_leaves", args.num_leaves), ("min_child_samples", args.min_child_samples),
                                                 ("colsample_bytree", args.colsample_bytree)) if v is not None})
    TREE_WEIGHTING.update(balanceCells=args.balance_cells, oldWeight=args.old_weight)
    t_start = time.time()
    candidates = [c.strip() for c in args.candidates.split(",") if c.strip()]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        log(f"features for {args.data}")
        m = feature_matrix(args.data, work, args.feature_set)
        log(f"{len(m.y)} rows, {m.y.sum()} phishing, {len(set(m.groups))} registered domains, {len(m.names)} features")
        n_real = len(m.y)
        augmentation: dict | None = {"module": "training/phishnet_training/augment.py"}
        added = []
        for offset, (kind, fraction) in enumerate(((SIGN_IN, args.augment_sign_in), (SIGNED_IN, args.augment_signed_in))):
            if fraction > 0:  # each kind samples its own domains (seed + offset)
                rows = account_page_rows(m.urls, m.y, m.groups, kind, fraction, args.seed + offset)
                added.append(rows)
                augmentation[kind.source] = {"fraction": fraction, "rows": len(rows), "paths": len(kind.paths)}
                log(f"augmentation: {len(rows)} legitimate URLs of kind {kind.source} added")
        if not added:
            augmentation = None
        else:
            (work / "augment").mkdir()
            pd.concat(added).to_csv(work / "augment.csv", index=False)
            m = m.append(feature_matrix(work / "augment.csv", work / "augment", args.feature_set))
        real, y_real = m.real, m.y[m.real]

        cv = cross_validate(m, args.folds, args.seed, args.n_estimators, candidates, args.ngram)
        report: dict = {"folds": args.folds, "groupedBy": "registered domain (ICANN eTLD+1)", "candidates": {}, "baselines": {}}
        report["augmentation"] = augmentation
        for name, p in cv["oof"].items():
            report["candidates"][name] = summary(y_real, p[real])
        for name, x in cv["baselines"].items():
            report["baselines"][name] = summary(y_real, rank_scores(x))
        chosen = max(candidates, key=lambda n: (report["candidates"][n]["tprAt1PctFpr"], report["candidates"][n]["rocAuc"]))
        log(f"chosen: {chosen}")

        if args.ngram:
            z_oof = cv["oofNgram"]
            report["ngram"] = summary(y_real, 1 / (1 + np.exp(-z_oof[real])))
            a_tree, a_ngram, b = fit_stack(cv["oof"][chosen][real], z_oof[real], y_real)
            stack = (a_tree, a_ngram, b)

            def calibrated(p_tree: np.ndarray, z: np.ndarray | None) -> np.ndarray:
                return apply_stack(p_tree, z, *stack)
            calibration = {"method": "stacked-logistic", "aTree": a_tree, "aNgram": a_ngram, "b": b,
                           "formula": "score = 1 / (1 + exp(-(aTree * logit(raw) + aNgram * z + b))), raw clipped to "
                                      "[1e-7, 1-1e-7], z = ngram weights · char-ngram/v1 vector + ngram bias"}
        else:
            z_oof, stack = None, None
            a, b = fit_platt(cv["oof"][chosen][real], y_real)

            def calibrated(p_tree: np.ndarray, z: np.ndarray | None) -> np.ndarray:
                return apply_platt(p_tree, a, b)
            calibration = {"method": "platt", "a": a, "b": b,
                           "formula": "score = 1 / (1 + exp(-(a * logit(raw) + b))), raw clipped to [1e-7, 1-1e-7]"}
        p_cal = calibrated(cv["oof"][chosen], z_oof)
        report["calibrated"] = summary(y_real, p_cal[real])
        report["cells"] = cell_table(m, np.where(real)[0], p_cal[real])
        reference = Reference.load(args.compare_artifact) if args.compare_artifact else None
        thresholds = {"suspicious": threshold_at_fpr(y_real, p_cal[real], SUSPICIOUS_FPR),
                      "phishing": threshold_at_fpr(y_real, p_cal[real], PHISHING_FPR)}
        threshold_policy = {"suspiciousFpr": SUSPICIOUS_FPR, "phishingFpr": PHISHING_FPR, "on": "out-of-fold calibrated scores"}
        if args.later_time:
            report["laterTime"], te_later, p_later = later_time(m, args.later_time, args.seed, args.n_estimators, chosen, stack, reference)
            y_later = m.y[te_later]
            report["thresholdsOutOfFold"] = thresholds
            report["thresholdsLaterTime"] = {"suspicious": threshold_at_fpr(y_later, p_later, SUSPICIOUS_FPR),
                                             "phishing": threshold_at_fpr(y_later, p_later, PHISHING_FPR)}
            # Each threshold is the stricter of the two estimates, so the FPR target holds on both legitimate
            # populations: the later-time rows (2025 sites: blogs, newsletter links, their homepages) and the
            # out-of-fold rows (older crawls and search results with more sign-in and account paths).
            thresholds = {k: max(report["thresholdsLaterTime"][k], thresholds[k]) for k in thresholds}
            threshold_policy["on"] = (f"the stricter of two estimates: calibrated scores of the later-time check's {int((y_later == 0).sum())} "
                                      f"legitimate rows (first seen on or after {args.later_time}, model trained on the rows before) and "
                                      f"the out-of-fold scores of the real legitimate rows")
            neg, pos = y_later == 0, y_later == 1
            report["laterTimeAtShippedThresholds"] = {
                k: {"threshold": t, "fpr": float((p_later[neg] >= t).mean()), "tpr": float((p_later[pos] >= t).mean()),
                    "cells": {c: {"fpr": float((p_later[neg & (cells == c)] >= t).mean()) if (neg & (cells == c)).any() else None,
                                  "tpr": float((p_later[pos & (cells == c)] >= t).mean()) if (pos & (cells == c)).any() else None}
                              for c in sorted(set(cells))}}
                for k, t in thresholds.items() for cells in [m.cells[te_later]]}
        for prefix in filter(None, (p.strip() for p in (args.leave_one_source_out or "").split(","))):
            report.setdefault("leaveOneSourceOut", {})[prefix] = leave_source_out(m, prefix, args.seed, args.n_estimators, chosen, stack, reference)
        for s, entry in per_source(m, p_cal).items():  # added rows too: how many of them would still be flagged
            sel = m.sources == s
            entry["flaggedAtSuspiciousThreshold"] = float((p_cal[sel] >= thresholds["suspicious"]).mean())
            entry["flaggedAtPhishingThreshold"] = float((p_cal[sel] >= thresholds["phishing"]).mean())
            report.setdefault("perSource", {})[s] = entry
        report["thresholds"] = thresholds
        if args.temporal_holdout:
            report["temporalHoldout"] = temporal_holdout(m, args.temporal_holdout, args.seed, args.n_estimators, chosen, stack)
        for prefix in filter(None, (p.strip() for p in (args.source_holdout or "").split(","))):
            report.setdefault("sourceHoldout", {})[prefix] = source_holdout(m, prefix, args.seed, args.n_estimators, chosen, stack)
        print(json.dumps({k: report[k] for k in ("candidates", "ngram", "baselines", "calibrated", "thresholds", "temporalHoldout",
                                                 "sourceHoldout", "laterTime", "leaveOneSourceOut") if k in report}, indent=2))

        log(f"refit {chosen} on all rows")
        model = fit_tree(chosen, m, np.arange(len(m.y)), args.seed, args.n_estimators, for_export=True)
        onnx_bytes = export_onnx(model, chosen, len(m.names))
        input_name, output_name = onnx_output_names(onnx_bytes)
        files = {"model.onnx": onnx_bytes}
        if args.ngram:
            log("refit ngram model on all rows")
            w, w_bias = fit_ngram(m.N, m.y, args.seed)
            w32 = w.astype("<f4")  # what serving multiplies with
            files[NGRAM_WEIGHTS_FILE] = w32.tobytes()

        def final_scores(p_tree: np.ndarray, N: sp.csr_matrix) -> np.ndarray:
            return calibrated(p_tree, ngram_margin(N, w32.astype(np.float64), w_bias) if args.ngram else None)

        # Parity: ONNX (onnxruntime, Python) vs native on the fixture; the TS test repeats it with onnxruntime-node.
        parity = None
        if args.parity_fixture and args.parity_fixture.exists():
            fx_dir = work / "fixture"
            fx_dir.mkdir()
            fx = feature_matrix(args.parity_fixture, fx_dir)
            native = model.predict_proba(model_input(chosen, fx.X, for_export=True))[:, 1]
            import onnxruntime as ort
            sess = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
            onnx_p = sess.run([output_name], {input_name: fx.X.toarray()})[0][:, 1]
            native_final = final_scores(native, fx.N)
            delta = float(max(np.abs(onnx_p - native).max(), np.abs(final_scores(onnx_p, fx.N) - native_final).max()))
            log(f"parity on {len(native)} fixture URLs: max |onnx - native| = {delta:.2e}")
            if delta > 1e-5:
                raise SystemExit(f"ONNX export differs from native {chosen} by {delta:.2e} (> 1e-5)")
            parity = {"featureSet": args.feature_set, "fixture": str(args.parity_fixture.relative_to(ROOT)) if args.parity_fixture.is_relative_to(ROOT) else str(args.parity_fixture),
                      "nativeRaw": [float(x) for x in native], "nativeScores": [float(x) for x in native_final],
                      "maxAbsDeltaPython": delta}

        # The legitimate sign-in and account-page probes, scored by the final model alone (no lists).
        for probe in filter(None, (p.strip() for p in args.probes.split(","))):
            pdir = work / f"probe-{len(report.get('probes', {}))}"
            pdir.mkdir()
            pm = feature_matrix(ROOT / probe, pdir, args.feature_set)
            ps = final_scores(model.predict_proba(model_input(chosen, pm.X, for_export=True))[:, 1], pm.N)
            report.setdefault("probes", {})[probe] = {
                "rows": int(len(ps)), "legitimate": int((pm.y == 0).sum()),
                "phishing": int((ps >= thresholds["phishing"]).sum()), "suspiciousOrPhishing": int((ps >= thresholds["suspicious"]).sum()),
                "flagged": [f"{u} {p:.4f}" for u, p in zip(pm.urls, ps) if p >= thresholds["suspicious"]]}
            log(f"probe {probe}: {report['probes'][probe]['phishing']} phishing, {report['probes'][probe]['suspiciousOrPhishing']} suspicious or phishing of {len(ps)}")
        report["thresholds"] = thresholds
        report["trainingSeconds"] = round(time.time() - t_start)

        data_sha = hashlib.sha256(args.data.read_bytes()).hexdigest()
        manifest = {
            "name": args.name,
            "version": args.version,
            "featureSet": args.feature_set,
            "features": m.names,
            "algorithm": chosen,
            "input": {"name": input_name, "shape": [None, len(m.names)], "dtype": "float32"},
            "output": {"name": output_name, "column": 1, "meaning": "raw probability of phishing (uncalibrated)"},
            "calibration": calibration,
            "thresholds": thresholds,
            "thresholdPolicy": threshold_policy,
            "trainingData": {"file": args.data.name, "sha256": data_sha, "rows": n_real,
                             "phishing": int(y_real.sum()), "registeredDomains": int(len(set(m.groups[real]))),
                             "augmentation": augmentation},
            "hyperparameters": {"n_estimators": args.n_estimators, "seed": args.seed, "augmentSignIn": args.augment_sign_in,
                                "augmentSignedIn": args.augment_signed_in,
                                **({"lightgbm": dict(LIGHTGBM_OVERRIDES)} if LIGHTGBM_OVERRIDES and chosen == "lightgbm" else {}),
                                **({"treeWeighting": dict(TREE_WEIGHTING)}
                                   if TREE_WEIGHTING["balanceCells"] or TREE_WEIGHTING["oldWeight"] != 1.0 else {})},
            "metrics": {"crossValidation": report["candidates"][chosen], "calibratedOof": report["calibrated"],
                        "ngram": report.get("ngram"), "baselines": report["baselines"],
                        **({"laterTime": {k: report["laterTime"][k] for k in ("date", "train", "testPhishing", "testLegitimate", "stacked")
                                          if k in report["laterTime"]}} if "laterTime" in report else {})},
        }
        if args.ngram:
            manifest["ngramModel"] = {"featureSet": NGRAM_FEATURE_SET, "buckets": int(m.N.shape[1]),
                                      "weights": {"file": NGRAM_WEIGHTS_FILE, "dtype": "float32", "byteOrder": "little"},
                                      "bias": w_bias, "algorithm": "logistic regression (liblinear, L2)", "C": NGRAM_C}
        files["manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
        archive = deterministic_targz(files)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(archive)
        digest = hashlib.sha256(archive).hexdigest()
        Path(str(args.out) + ".sha256").write_text(f"{digest}  {args.out.name}\n")
        if parity is not None:
            parity["artifactSha256"] = digest
            Path(str(args.out).removesuffix(".tar.gz") + ".parity.json").write_text(json.dumps(parity) + "\n")
        if args.report:
            args.report.write_text(json.dumps(report, indent=2) + "\n")
        log(f"wrote {args.out} ({len(archive) / 1e6:.2f} MB) sha256 {digest} in {time.time() - t_start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
