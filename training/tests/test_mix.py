"""mix.py: cell balancing within period × scheme × path, homepages of the new legitimate sites, feed-shape cap,
determinism, stumps."""
from __future__ import annotations

import numpy as np
import pandas as pd

from phishnet_training.mix import mix, stump_accuracy, url_parts


def frame(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["url", "label", "source", "first_seen"])


def test_cells_are_balanced_within_each_period_and_homepages_added():
    train = frame([(f"http://old{i}.com/a", 0, "pdd-sahingoz:legit", "") for i in range(40)]
                  + [(f"http://bad{i}.com/b", 1, "phishtank:2020-05", "2020-01-01") for i in range(100)])
    fresh = frame([(f"https://blog{i}.net/post/{i}", 0, "twir:2023-2025", "2025-02-01") for i in range(30)]
                  + [(f"https://blog{i}.org/feed/", 0, "kagi-smallweb:2023-2025", "2025-03-01") for i in range(40)]
                  + [(f"https://new{i}.top/", 1, "certpl:2025", "2025-05-01") for i in range(200)]
                  + [(f"https://jp{i}.cn/", 1, "jpcert:2023-2025", "2025-06-01") for i in range(200)])
    out, summary = mix(train, fresh, seed=1, ratio=1.5, feed_keep=0.25, old_fraction=1.0)
    parts = url_parts(out["url"])
    period = np.where(out["first_seen"] >= "2025-01-01", "2025", "old")
    for (p, s, h), cell in out.groupby([period, parts["scheme"].to_numpy(), parts["has_path"].to_numpy()]):
        n = cell["label"].value_counts()
        if len(n) == 2:
            assert n.max() <= 1.5 * n.min(), (p, s, h, n.to_dict())
        else:
            assert False, f"one-class cell {(p, s, h)} kept"
    homes = out[out["source"].str.endswith(":home")]
    assert len(homes) > 0 and (homes["label"] == 0).all() and homes["url"].str.fullmatch(r"https://[^/]+/").all()
    feeds = out[(out["source"] == "kagi-smallweb:2023-2025")]
    assert len(feeds) < 20  # about a quarter of the 40 feed URLs
    # round-robin over the phishing feeds: neither fills the bare-domain cell alone
    bare = out[(out["label"] == 1) & (period == "2025")]["source"].value_counts()
    assert abs(bare.get("certpl:2025", 0) - bare.get("jpcert:2023-2025", 0)) <= 1
    again, _ = mix(train, fresh, seed=1, ratio=1.5, feed_keep=0.25, old_fraction=1.0)
    assert again.equals(out)
    assert summary["stumps"]["has path/query"]["accuracy"] <= 0.7


def test_stump_accuracy_finds_the_best_threshold():
    x = np.array([1, 2, 3, 4, 5, 6], dtype=float)
    y = np.array([0, 0, 0, 1, 1, 0])
    acc, rule = stump_accuracy(x, y)
    assert abs(acc - 5 / 6) < 1e-12 and rule == "phishing if > 3"
