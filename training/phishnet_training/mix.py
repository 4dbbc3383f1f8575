"""Training-set mixing for model v5: ``urls-train.csv.gz`` (to early 2023) and ``urls-fresh.csv.gz`` (2023-01 …
2025-12) into one labelled CSV, balanced so that neither the path, the scheme, the feed-URL shape of the new
legitimate rows nor the period becomes a shortcut (``shared/data/README.md``, "Shortcut risk" and the fresh file's
"Known biases").

    python -m phishnet_training.mix --train urls-train.csv.gz --fresh urls-fresh.csv.gz --out mixed.csv.gz

Steps, each seeded (``--seed``), so the same inputs give the same bytes:
1. Period of each row from ``first_seen``: ``old`` (before 2023, or undated: the list snapshots of 2014–2019),
   ``2023-2024``, ``2025``.
2. Homepages of the new legitimate sites: the fresh legitimate rows are 83 % blog-feed URLs and hold almost no
   homepages, while 72 % of the new phishing are bare domains. For each fresh legitimate row, its site's homepage
   (``scheme://host/``, same label, source tag + ``:home``, same ``first_seen``) is added once per host: a site a
   curated list or an edited newsletter links to is a legitimate site, and its homepage is the page a browser opens.
   Homepages whose URL also occurs as phishing are not added.
3. Feed shape: of the fresh legitimate rows whose path looks like a feed (``/feed``, ``rss``, ``atom``, ``.xml``,
   ``feedburner``), a seeded ``--feed-keep`` share is kept.
4. Cell balancing within period × scheme × path-or-query: the larger class is cut to at most ``--ratio`` × the
   smaller (as ``urls-train.csv.gz`` was built). Rows of the larger class are taken round-robin over their sources,
   so one feed (CERT.pl's 148k bare domains) does not fill a cell alone.
5. ``--old-fraction`` keeps a seeded share of the ``old`` period's rows (before cell balancing, both classes alike)
   to bound training time.
The per-cell, per-period and per-source counts are printed as JSON (``--summary`` also writes them to a file).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

FEED_RE = re.compile(r"(?:^|[/._-])(?:feed|feeds|rss|atom)(?:$|[/._-])|\.xml$|feedburner", re.I)
PERIODS = ("old", "2023-2024", "2025")


def period_of(first_seen: pd.Series) -> pd.Series:
    """``old`` for empty or < 2023-01-01, ``2023-2024`` for < 2025-01-01, else ``2025``."""
    fs = first_seen.fillna("")
    return pd.Series(np.where((fs == "") | (fs < "2023-01-01"), "old", np.where(fs < "2025-01-01", "2023-2024", "2025")),
                     index=first_seen.index)


def url_parts(urls: pd.Series) -> pd.DataFrame:
    """scheme, host, has_path (path other than "" or "/", or a query), is_feed and homepage of each URL."""
    rows = []
    for u in urls:
        try:
            s = urlsplit(u)
            scheme, host, path, query = s.scheme.lower(), (s.hostname or ""), s.path, s.query
            netloc = s.netloc
        except ValueError:
            scheme, host, path, query, netloc = "", "", "", "", ""
        has_path = (path not in ("", "/")) or query != ""
        rows.append((scheme, host, has_path, bool(FEED_RE.search(path + ("?" + query if query else ""))) or "feedburner" in host,
                     f"{scheme}://{netloc}/"))
    return pd.DataFrame(rows, columns=["scheme", "host", "has_path", "is_feed", "homepage"], index=urls.index)


def round_robin(df: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` rows of ``df`` taken in turn from each ``source`` (random order within a source)."""
    if n >= len(df):
        return df
    rank = np.empty(len(df))
    for _, idx in df.groupby("source", sort=True).indices.items():
        rank[idx] = rng.permutation(len(idx))
    order = np.lexsort((rng.random(len(df)), rank))
    return df.iloc[np.sort(order[:n])]


def stump_accuracy(x: np.ndarray, y: np.ndarray) -> tuple[float, str]:
    """Best accuracy of a one-threshold rule ``phishing if x > t`` (or ``x <= t``) on (x, y), and the rule as text."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    # predicting phishing above position i: correct = legit at or below i + phishing above i
    legit_below = np.cumsum(ys == 0)
    phish_above = ys.sum() - np.cumsum(ys == 1)
    last = np.r_[xs[1:] != xs[:-1], True]  # only cut between distinct values
    acc = (legit_below + phish_above)[last] / len(y)
    cuts = xs[last]
    up, down = acc.max(), (1 - acc).max()
    all_phish = ys.mean()  # the rule "everything is phishing"
    best = max(up, down, all_phish, 1 - all_phish)
    if best == up:
        return float(best), f"phishing if > {cuts[acc.argmax()]:g}"
    if best == down:
        return float(best), f"phishing if <= {cuts[(1 - acc).argmax()]:g}"
    return float(best), "one class for all"


def stumps(df: pd.DataFrame) -> dict:
    """Single-feature stumps on a labelled frame (as ``shared/data/README.md`` shows for urls-train.csv.gz): how far
    one shortcut alone gets. 50 % is chance on a balanced set; the share of the larger class is the floor here."""
    parts = url_parts(df["url"])
    host = parts["host"].str.lower()
    tld = host.str.rsplit(".", n=1).str[-1]
    feats = {
        "URL length": df["url"].str.len().to_numpy(),
        "has path/query": parts["has_path"].to_numpy().astype(float),
        "https scheme": (parts["scheme"] == "https").to_numpy().astype(float),
        "number of /": df["url"].str.count("/").to_numpy(),
        "www. prefix": host.str.startswith("www.").to_numpy().astype(float),
        "feed-shaped path": parts["is_feed"].to_numpy().astype(float),
        "TLD .jp (JPCERT's country)": (tld == "jp").to_numpy().astype(float),
        "TLD .pl (CERT.pl's country)": (tld == "pl").to_numpy().astype(float),
        "TLD .cn": (tld == "cn").to_numpy().astype(float),
        "first_seen in 2023 or later (period)": (df["first_seen"].fillna("") >= "2023-01-01").to_numpy().astype(float),
    }
    y = df["label"].to_numpy()
    out = {"majorityClassShare": float(max(y.mean(), 1 - y.mean()))}
    for name, x in feats.items():
        acc, rule = stump_accuracy(np.asarray(x, dtype=float), y)
        out[name] = {"accuracy": round(acc, 4), "rule": rule}
    return out


def mix(train: pd.DataFrame, fresh: pd.DataFrame, seed: int, ratio: float, feed_keep: float, old_fraction: float) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    train = train.assign(origin="train")
    fresh = fresh.assign(origin="fresh")
    fresh = pd.concat([fresh, url_parts(fresh["url"])], axis=1)
    legit = fresh[fresh["label"] == 0]
    # 2. homepages of the new legitimate sites, once per host (earliest first_seen)
    home = (legit.sort_values(["first_seen", "url"]).drop_duplicates("host")
            .assign(url=lambda d: d["homepage"], source=lambda d: d["source"] + ":home"))
    known = set(train["url"]) | set(fresh["url"])
    phishing_urls = set(train.loc[train["label"] == 1, "url"]) | set(fresh.loc[fresh["label"] == 1, "url"])
    home = home[~home["url"].isin(phishing_urls) & ~home["url"].isin(known)]
    # 3. feed shape
    feed = (fresh["label"] == 0) & fresh["is_feed"]
    keep_feed = rng.random(len(fresh)) < feed_keep
    fresh = fresh[~feed | keep_feed]
    cols = ["url", "label", "source", "first_seen", "origin"]
    pool = pd.concat([train[cols], fresh[cols], home[cols]], ignore_index=True)
    pool["first_seen"] = pool["first_seen"].fillna("")
    pool["period"] = period_of(pool["first_seen"])
    parts = url_parts(pool["url"])
    pool["scheme"], pool["has_path"] = parts["scheme"], parts["has_path"]
    # 5. bound the old period
    if old_fraction < 1:
        pool = pool[(pool["period"] != "old") | (rng.random(len(pool)) < old_fraction)]
    # 4. cell balancing
    kept = []
    cells = {}
    for (period, scheme, has_path), cell in pool.groupby(["period", "scheme", "has_path"], sort=True):
        n = cell["label"].value_counts().reindex([0, 1], fill_value=0)
        small = int(n.min())
        cap = int(np.floor(small * ratio))
        for label in (0, 1):
            rows = cell[cell["label"] == label]
            if len(rows) > cap:
                rows = round_robin(rows, cap, rng)
            kept.append(rows)
        key = f"{period} {scheme} {'path' if has_path else 'no path'}"
        cells[key] = {"legitimate": [int(min(n[0], cap)), int(n[0])], "phishing": [int(min(n[1], cap)), int(n[1])]}
    out = pd.concat(kept).sort_index()
    out = out.iloc[rng.permutation(len(out))]
    summary = {
        "rows": len(out), "phishing": int(out["label"].sum()),
        "cells (kept, pool)": cells,
        "perSource": {s: int(c) for s, c in out["source"].value_counts().sort_index().items()},
        "perPeriod": {p: {"legitimate": int(((out["period"] == p) & (out["label"] == 0)).sum()),
                          "phishing": int(((out["period"] == p) & (out["label"] == 1)).sum())} for p in PERIODS},
        "homepagesAdded": int(home["url"].isin(out["url"]).sum()),
        "stumps": stumps(out),
        "parameters": {"seed": seed, "ratio": ratio, "feedKeep": feed_keep, "oldFraction": old_fraction},
    }
    return out[["url", "label", "source", "first_seen"]], summary


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"url": str, "label": np.int64, "source": str, "first_seen": str}, keep_default_na=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True, type=Path, help="urls-train.csv.gz")
    ap.add_argument("--fresh", required=True, type=Path, help="urls-fresh.csv.gz")
    ap.add_argument("--out", required=True, type=Path, help="mixed labelled CSV (.csv or .csv.gz)")
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--ratio", type=float, default=1.5, help="larger class at most this × the smaller, per cell")
    ap.add_argument("--feed-keep", type=float, default=0.25, help="share of fresh legitimate feed-shaped URLs kept")
    ap.add_argument("--old-fraction", type=float, default=1.0, help="share of the old period's rows kept")
    ap.add_argument("--summary", type=Path, help="also write the counts JSON here")
    args = ap.parse_args(argv)
    out, summary = mix(read(args.train), read(args.fresh), args.seed, args.ratio, args.feed_keep, args.old_fraction)
    # gzip output without a timestamp or file name in its header, so the same inputs give the same bytes
    if args.out.suffix == ".gz":
        import gzip
        with open(args.out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as f:
            f.write(out.to_csv(index=False).encode())
    else:
        out.to_csv(args.out, index=False)
    text = json.dumps(summary, indent=2)
    print(text)
    if args.summary:
        args.summary.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
