"""Recipe sweep on the two acceptance checks of the model card, without training an artifact.

For each configuration (LightGBM parameters, optional sample weights, optional TLD base-rate column) it fits the
tree model on the training side of (a) the later-time check (train before ``--later-time``, test both classes on or
after it, grouped by registered domain) and (b) each ``--held-out`` source (leave-one-source-out, same split as
``train.py``), and reports the tree model alone and its stack with the n-gram model. The n-gram model is fitted once
per check (it does not depend on the tree configuration) and the stacking coefficients are fixed, read from
``--stack-from`` (an artifact's manifest), so configurations differ only in the trees. ``--train-fraction`` keeps a
seeded share of the registered domains for training (the test side stays whole), for quick rounds.

Usage (``npm run sweep -- …`` is not wired; run it with the training venv)::

    PYTHONPATH=training PYTHONHASHSEED=0 training/.venv/bin/python -m phishnet_training.sweep \\
      --data /tmp/urls-v5-mix.csv.gz --later-time 2025-01-01 --held-out certpl: \\
      --stack-from models/phishnet-url-lexical-v5.tar.gz --train-fraction 0.5 \\
      --config '{"name": "base"}' --config '{"name": "ff0.5", "lightgbm": {"colsample_bytree": 0.5}}'

A configuration is a JSON object: ``name``; ``lightgbm`` (keyword arguments over ``train.make_lightgbm``'s);
``freshWeight`` / ``bareWeight`` (sample weight of rows first seen in 2023 or later / of rows without path or query,
default 1); ``balanceCells`` / ``oldWeight`` (``train.py``'s ``--balance-cells`` / ``--old-weight``, see
``train.tree_weights``); ``tldRate`` (true: add the TLD's smoothed phishing rate as a column, estimated out of fold inside the
training side by registered-domain folds and on the whole training side for the test rows; a prototype in Python,
the served feature code has no such column). Prints one JSON line per configuration; ``--out`` writes them all.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.model_selection import GroupKFold

from phishnet_training import train as T
from phishnet_training.augment import SIGN_IN, SIGNED_IN, account_page_rows
from phishnet_training.metrics import summary

TLD_PRIOR_ROWS = 20.0  # smoothing: the TLD's rate is pulled toward the base rate as if it had 20 more rows


def splits(m: T.Matrix, later_time: str | None, held_out: list[str], seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(train mask, test mask) per check, as ``train.later_time`` and ``train.leave_source_out`` build them."""
    out = {}
    if later_time:
        test = m.real & (m.first_seen >= later_time)
        out[f"laterTime {later_time}"] = (~test & (m.first_seen < later_time) & ~T.in_groups(m.groups, m.groups[test]), test)
    for prefix in held_out:
        src = m.real & pd.Series(m.sources, dtype=object).str.startswith(prefix).to_numpy(dtype=bool)
        if not src.any():
            raise SystemExit(f"--held-out {prefix}: no rows")
        test = src.copy()
        for other in {0, 1} - set(np.unique(m.y[src]).tolist()):
            pool = m.real & m.fresh & (m.y == other) & ~src
            domains = np.unique(m.groups[pool])
            held = np.random.default_rng(seed).choice(domains, size=len(domains) // 5, replace=False)
            test |= pool & T.in_groups(m.groups, held)
        out[f"heldOut {prefix}"] = (~test & ~src & ~T.in_groups(m.groups, m.groups[test]), test & m.real)
    return out


def tlds(urls: np.ndarray) -> np.ndarray:
    """The last label of each URL's host ("" when unparsable)."""
    def one(u: str) -> str:
        try:
            return (urlsplit(u).hostname or "").rsplit(".", 1)[-1]
        except ValueError:
            return ""
    return np.array([one(u) for u in urls], dtype=object)


def tld_rate_column(tld: np.ndarray, y: np.ndarray, groups: np.ndarray, tr: np.ndarray, te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed phishing rate of each row's TLD: for training rows out of fold (3 registered-domain folds of the
    training side), for test rows from the whole training side. Returns (train column, test column)."""
    def rates(idx: np.ndarray, rows: np.ndarray) -> np.ndarray:
        base = float(y[idx].mean())
        g = pd.DataFrame({"t": tld[idx], "y": y[idx]}).groupby("t")["y"].agg(["sum", "count"])
        rate = ((g["sum"] + TLD_PRIOR_ROWS * base) / (g["count"] + TLD_PRIOR_ROWS)).to_dict()
        return np.array([rate.get(t, base) for t in tld[rows]])
    col_tr = np.zeros(len(tr))
    for fit, apply in GroupKFold(n_splits=3).split(tr, groups=groups[tr]):
        col_tr[apply] = rates(tr[fit], tr[apply])
    return col_tr, rates(tr, te)


def run(m: T.Matrix, checks: dict, z: dict, stack: tuple[float, float, float], config: dict, seed: int, n_estimators: int,
        tld: np.ndarray | None) -> dict:
    """One configuration on every check: summaries of the trees alone and of the stack, and the fit time."""
    import lightgbm as lgb
    result = {"config": config}
    for name, (tr, te) in checks.items():
        X_tr, X_te = m.X[tr], m.X[te]
        if config.get("tldRate"):
            c_tr, c_te = tld_rate_column(tld, m.y, m.groups, tr, te)
            X_tr = sp.hstack([X_tr, sp.csr_matrix(c_tr.reshape(-1, 1))]).tocsr()
            X_te = sp.hstack([X_te, sp.csr_matrix(c_te.reshape(-1, 1))]).tocsr()
        bare = np.char.endswith(m.cells[tr].astype(str), "no path")
        w = np.where(m.fresh[tr], config.get("freshWeight", 1.0), 1.0) * np.where(bare, config.get("bareWeight", 1.0), 1.0)
        T.TREE_WEIGHTING.update(balanceCells=bool(config.get("balanceCells")), oldWeight=float(config.get("oldWeight", 1.0)))
        tw = T.tree_weights(m, tr)  # the weighting train.py's --balance-cells / --old-weight give the trees
        T.TREE_WEIGHTING.update(balanceCells=False, oldWeight=1.0)
        if tw is not None:
            w = w * tw
        model = T.make_lightgbm(seed, n_estimators)
        model.set_params(**config.get("lightgbm", {}))
        t0 = time.time()
        p = model.fit(X_tr, m.y[tr], sample_weight=w).predict_proba(X_te)[:, 1]
        result[name] = {"train": len(tr), "seconds": round(time.time() - t0, 1), "trees": summary(m.y[te], p),
                        "stacked": summary(m.y[te], T.apply_stack(p, z[name], *stack))}
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path, help="the training mix (url,label,source,first_seen), plain or .gz")
    ap.add_argument("--later-time", metavar="YYYY-MM-DD")
    ap.add_argument("--held-out", default="", metavar="PREFIX[,PREFIX]", help="sources for leave-one-source-out")
    ap.add_argument("--stack-from", required=True, type=Path, help="artifact whose manifest gives the stacking coefficients")
    ap.add_argument("--train-fraction", type=float, default=1.0, help="seeded share of registered domains kept for training")
    ap.add_argument("--config", action="append", required=True, help="a configuration (JSON object, see the module doc)")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--n-estimators", type=int, default=200)
    ap.add_argument("--augment-sign-in", type=float, default=0.25)
    ap.add_argument("--augment-signed-in", type=float, default=0.1)
    ap.add_argument("--out", type=Path, help="write the results (JSON list) here too")
    args = ap.parse_args(argv)
    configs = [json.loads(c) for c in args.config]
    with tarfile.open(fileobj=io.BytesIO(args.stack_from.read_bytes())) as tar:
        cal = json.loads(tar.extractfile("manifest.json").read())["calibration"]
    if cal["method"] != "stacked-logistic":
        raise SystemExit(f"--stack-from {args.stack_from}: calibration {cal['method']}, need stacked-logistic")
    stack = (cal["aTree"], cal["aNgram"], cal["b"])

    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        m = T.feature_matrix(args.data, work)
        added = [account_page_rows(m.urls, m.y, m.groups, kind, f, args.seed + k)
                 for k, (kind, f) in enumerate(((SIGN_IN, args.augment_sign_in), (SIGNED_IN, args.augment_signed_in))) if f > 0]
        if added:
            (work / "augment").mkdir()
            pd.concat(added).to_csv(work / "augment.csv", index=False)
            m = m.append(T.feature_matrix(work / "augment.csv", work / "augment"))
    keep = np.ones(len(m.y), dtype=bool)
    if args.train_fraction < 1:
        domains = np.unique(m.groups)
        keep = T.in_groups(m.groups, np.random.default_rng(args.seed).choice(domains, size=int(len(domains) * args.train_fraction), replace=False))
    checks = {name: (np.where(train & keep)[0], np.where(test)[0])
              for name, (train, test) in splits(m, args.later_time, [p for p in args.held_out.split(",") if p], args.seed).items()}
    if not checks:
        raise SystemExit("nothing to check: give --later-time and/or --held-out")
    z = {name: T.ngram_margin(m.N[te], *T.fit_ngram(m.N[tr], m.y[tr], args.seed)) for name, (tr, te) in checks.items()}
    tld = tlds(m.urls) if any(c.get("tldRate") for c in configs) else None
    results = []
    for config in configs:
        results.append(run(m, checks, z, stack, config, args.seed, args.n_estimators, tld))
        print(json.dumps(results[-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
