"""Sign-in augmentation: what it adds, where, and that no metric is computed on what it added."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from phishnet_training.augment import AUGMENT_SOURCE, SIGN_IN_PATHS, sign_in_rows
from phishnet_training.train import ROOT, main

URLS = np.array([f"https://www.site{i}.example/" for i in range(200)]
                + ["http://shared.host/home", "https://evil.shared.host/login", "http://10.0.0.1/", "https://u:p@auth.example/",
                   "legit-no-scheme.example/path"], dtype=object)
LABELS = np.r_[np.zeros(200, int), 0, 1, 0, 0, 0]
GROUPS = np.array([f"site{i}.example" for i in range(200)] + ["shared.host", "shared.host", "10.0.0.1", "auth.example",
                                                             "legit-no-scheme.example"], dtype=object)


def test_adds_legitimate_sign_in_urls_on_the_same_registered_domain():
    rows = sign_in_rows(URLS, LABELS, GROUPS, 0.5, seed=7)
    assert 90 <= len(rows) <= 103  # half of the 202 eligible domains at most, minus the skipped origins
    assert set(rows["label"]) == {0} and set(rows["source"]) == {AUGMENT_SOURCE} and set(rows["first_seen"]) == {""}
    subdomains = 0
    for url in rows["url"]:
        scheme, _, rest = url.partition("://")
        host, path = rest[: rest.index("/")], rest[rest.index("/"):]
        assert scheme == "https" and path in SIGN_IN_PATHS
        assert host.split(".", 1)[1] in set(GROUPS[:200])  # www.<domain> as published, or <sign-in label>.<domain>
        subdomains += not host.startswith("www.")
    assert 5 <= subdomains <= 40  # about a fifth move to a sign-in subdomain of the same registered domain


def test_skips_domains_with_phishing_ip_hosts_userinfo_and_schemeless_urls():
    rows = sign_in_rows(URLS, LABELS, GROUPS, 1.0, seed=7)
    hosts = {u.partition("://")[2].split("/")[0] for u in rows["url"]}
    assert not any(h.endswith("shared.host") or h.startswith("10.") or "auth.example" in h or "no-scheme" in h for h in hosts)
    assert len(rows) == 200


def test_is_deterministic_per_seed():
    a, b, c = (sign_in_rows(URLS, LABELS, GROUPS, 0.3, seed=s)["url"].tolist() for s in (1, 1, 2))
    assert a == b and a != c


@pytest.mark.parametrize("fraction", [0, -0.1, 1.5])
def test_refuses_a_fraction_outside_0_1(fraction):
    with pytest.raises(ValueError, match="fraction"):
        sign_in_rows(URLS, LABELS, GROUPS, fraction, seed=1)


def test_training_run_trains_on_added_rows_but_scores_real_rows_only(tmp_path: Path):
    fixture = ROOT / "fixtures/urls-2k.csv"
    report, out = tmp_path / "r.json", tmp_path / "m.tar.gz"
    assert main(["--data", str(fixture), "--out", str(out), "--folds", "2", "--n-estimators", "20", "--candidates", "lightgbm",
                 "--parity-fixture", "", "--augment-sign-in", "0.5", "--temporal-holdout", "2022-01-01", "--report", str(report)]) == 0
    r = json.loads(report.read_text())
    added = r["augmentation"]["rows"]
    assert added > 100 and r["perSource"][AUGMENT_SOURCE]["n"] == added
    assert sum(e["n"] for s, e in r["perSource"].items() if s != AUGMENT_SOURCE) == 2000
    assert r["temporalHoldout"]["trainAdded"] > 0
    assert r["temporalHoldout"]["train"] + r["temporalHoldout"]["testPhishing"] + r["temporalHoldout"]["testLegitimate"] < 2000
    with tarfile.open(fileobj=io.BytesIO(out.read_bytes())) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["trainingData"]["rows"] == 2000 and manifest["trainingData"]["augmentation"]["rows"] == added
