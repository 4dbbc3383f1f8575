"""Account-page augmentation: what it adds, where, and that no metric is computed on what it added."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from helpers import small_run
from phishnet_training.augment import SIGN_IN, SIGNED_IN, account_page_rows, is_added

URLS = np.array([f"https://www.site{i}.example/" for i in range(200)]
                + ["http://shared.host/home", "https://evil.shared.host/login", "http://10.0.0.1/", "https://u:p@auth.example/",
                   "legit-no-scheme.example/path"], dtype=object)
LABELS = np.r_[np.zeros(200, int), 0, 1, 0, 0, 0]
GROUPS = np.array([f"site{i}.example" for i in range(200)] + ["shared.host", "shared.host", "10.0.0.1", "auth.example",
                                                             "legit-no-scheme.example"], dtype=object)


@pytest.mark.parametrize("kind", [SIGN_IN, SIGNED_IN], ids=lambda k: k.source)
def test_adds_legitimate_pages_of_the_kind_on_the_same_registered_domain(kind):
    rows = account_page_rows(URLS, LABELS, GROUPS, kind, 0.5, seed=7)
    assert 90 <= len(rows) <= 103  # half of the 202 eligible domains at most, minus the skipped origins
    assert set(rows["label"]) == {0} and set(rows["source"]) == {kind.source} and set(rows["first_seen"]) == {""}
    subdomains = 0
    for url in rows["url"]:
        scheme, _, rest = url.partition("://")
        host, path = rest[: rest.index("/")], rest[rest.index("/"):]
        assert scheme == "https" and path in kind.paths
        label, domain = host.split(".", 1)
        assert domain in set(GROUPS[:200])  # www.<domain> as published, or <kind's subdomain>.<domain>
        assert label == "www" or label in kind.subdomains
        subdomains += label != "www"
    assert 5 <= subdomains <= 40  # about a fifth move to a subdomain of the same registered domain


def test_skips_domains_with_phishing_ip_hosts_userinfo_and_schemeless_urls():
    rows = account_page_rows(URLS, LABELS, GROUPS, SIGN_IN, 1.0, seed=7)
    hosts = {u.partition("://")[2].split("/")[0] for u in rows["url"]}
    assert not any(h.endswith("shared.host") or h.startswith("10.") or "auth.example" in h or "no-scheme" in h for h in hosts)
    assert len(rows) == 200


def test_is_deterministic_per_seed():
    a, b, c = (account_page_rows(URLS, LABELS, GROUPS, SIGN_IN, 0.3, seed=s)["url"].tolist() for s in (1, 1, 2))
    assert a == b and a != c


@pytest.mark.parametrize("fraction", [0, -0.1, 1.5])
def test_refuses_a_fraction_outside_0_1(fraction):
    with pytest.raises(ValueError, match="fraction"):
        account_page_rows(URLS, LABELS, GROUPS, SIGN_IN, fraction, seed=1)


def test_is_added_tells_added_rows_by_source():
    sources = np.array([SIGN_IN.source, "pdd-sahingoz:legit", SIGNED_IN.source, ""], dtype=object)
    assert is_added(sources).tolist() == [True, False, True, False]


def test_training_run_trains_on_added_rows_but_scores_real_rows_only(tmp_path: Path):
    report, out = tmp_path / "r.json", tmp_path / "m.tar.gz"
    assert small_run(out, "--augment-sign-in", "0.5", "--augment-signed-in", "0.25", "--temporal-holdout", "2022-01-01",
                     "--report", str(report)) == 0
    r = json.loads(report.read_text())
    sign_in, signed_in = (r["augmentation"][k.source]["rows"] for k in (SIGN_IN, SIGNED_IN))
    assert sign_in > 100 and signed_in > 50
    assert r["perSource"][SIGN_IN.source]["n"] == sign_in and r["perSource"][SIGNED_IN.source]["n"] == signed_in
    assert sum(e["n"] for s, e in r["perSource"].items() if not s.startswith("augment:")) == 2000
    assert r["temporalHoldout"]["trainAdded"] > 0
    assert r["temporalHoldout"]["train"] + r["temporalHoldout"]["testPhishing"] + r["temporalHoldout"]["testLegitimate"] < 2000
    with tarfile.open(fileobj=io.BytesIO(out.read_bytes())) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["trainingData"]["rows"] == 2000
    assert manifest["trainingData"]["augmentation"][SIGNED_IN.source]["rows"] == signed_in
