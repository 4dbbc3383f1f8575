"""Training pipeline tests: metrics helpers and a small end-to-end training run on the committed fixture.

The small run uses the real feature CLI (Node), real LightGBM and a real ONNX export, so it checks that the
artifact is well formed and that ONNX agrees with native LightGBM (max |Δp| <= 1e-5)."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from helpers import FIXTURE, MIXED, small_run
from phishnet_training.train import ROOT
from phishnet_training.metrics import summary, threshold_at_fpr, tpr_at_fpr
from phishnet_training.train import deterministic_targz


def test_threshold_at_fpr_keeps_fpr_at_or_below_target():
    rng = np.random.default_rng(1)
    y = np.r_[np.zeros(1000, int), np.ones(1000, int)]
    p = np.r_[rng.uniform(0, 0.7, 1000), rng.uniform(0.3, 1, 1000)]
    for target in (0.001, 0.01, 0.05):
        t = threshold_at_fpr(y, p, target)
        assert ((p >= t) & (y == 0)).sum() / 1000 <= target
    assert 0 < tpr_at_fpr(y, p, 0.01) < 1


def test_summary_matches_known_values():
    y = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
    p = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.4, 0.4, 0.65, 0.05])
    s = summary(y, p)
    assert abs(s["rocAuc"] - 0.88) < 1e-12 and abs(s["brier"] - 0.13275) < 1e-12


def test_deterministic_targz_is_byte_stable():
    files = {"b.txt": b"2", "a.txt": b"1"}
    assert deterministic_targz(files) == deterministic_targz(dict(reversed(files.items())))


def test_small_training_run_writes_a_valid_artifact(tmp_path: Path):
    out = tmp_path / "m.tar.gz"
    assert small_run(out, "--parity-fixture", str(FIXTURE)) == 0
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert (tmp_path / "m.tar.gz.sha256").read_text().split()[0] == digest
    with tarfile.open(fileobj=io.BytesIO(out.read_bytes())) as tar:
        assert sorted(tar.getnames()) == ["manifest.json", "model.onnx", "ngram-weights.f32"]
        manifest = json.loads(tar.extractfile("manifest.json").read())
        weights = np.frombuffer(tar.extractfile("ngram-weights.f32").read(), dtype="<f4")
    assert manifest["featureSet"] == "url-lexical/v2" and len(manifest["features"]) == 1076 + 14
    assert manifest["ngramModel"]["featureSet"] == "char-ngram/v1" and len(weights) == manifest["ngramModel"]["buckets"]
    assert np.count_nonzero(weights) > 1000
    assert manifest["calibration"]["method"] == "stacked-logistic"
    assert manifest["thresholds"]["suspicious"] <= manifest["thresholds"]["phishing"]
    assert manifest["trainingData"]["sha256"] == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    parity = json.loads((tmp_path / "m.parity.json").read_text())
    assert parity["maxAbsDeltaPython"] <= 1e-5 and len(parity["nativeScores"]) == len(parity["nativeRaw"]) == 2000


def test_no_ngram_trains_a_tree_only_platt_model(tmp_path: Path):
    out = tmp_path / "m.tar.gz"
    assert small_run(out, "--no-ngram") == 0
    with tarfile.open(fileobj=io.BytesIO(out.read_bytes())) as tar:
        assert sorted(tar.getnames()) == ["manifest.json", "model.onnx"]
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["calibration"]["method"] == "platt" and "ngramModel" not in manifest


def test_same_data_and_seed_give_the_same_artifact_bytes(tmp_path: Path):
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run / "m.tar.gz"
        assert small_run(out) == 0
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_temporal_holdout_reports_later_phishing_against_held_out_domains(tmp_path: Path):
    report = tmp_path / "r.json"
    assert small_run(tmp_path / "m.tar.gz", "--temporal-holdout", "2022-01-01", "--report", str(report)) == 0
    th = json.loads(report.read_text())["temporalHoldout"]
    later = sum(1 for line in FIXTURE.read_text().splitlines()[1:] if line.split(",")[1] == "1" and line.split(",")[-1] >= "2022-01-01")
    assert th["testPhishing"] == later > 0 and th["testLegitimate"] > 0
    assert th["train"] + th["testPhishing"] + th["testLegitimate"] < 2000  # domains of the test side left out of training
    for model in ("lightgbm", "ngram", "stacked"):
        assert th[model]["n"] == th["testPhishing"] + th["testLegitimate"] and 0.5 < th[model]["rocAuc"] <= 1


def test_source_holdout_tests_on_one_source_family_and_trains_without_its_domains(tmp_path: Path):
    report = tmp_path / "r.json"
    assert small_run(tmp_path / "m.tar.gz", "--source-holdout", "pdd", "--report", str(report)) == 0
    sh = json.loads(report.read_text())["sourceHoldout"]["pdd"]
    sources = [line.rsplit(",", 2)[1] for line in FIXTURE.read_text().splitlines()[1:]]
    assert sh["testPhishing"] == sources.count("pdd-sahingoz:phish") > 0
    assert sh["testLegitimate"] == sources.count("pdd-sahingoz:legit") > 0
    assert sh["train"] + sh["testPhishing"] + sh["testLegitimate"] <= 2000 and sh["trainAdded"] > 0
    for model in ("lightgbm", "ngram", "stacked"):
        assert sh[model]["n"] == sh["testPhishing"] + sh["testLegitimate"] and 0.5 < sh[model]["rocAuc"] <= 1


def test_source_holdout_refuses_a_source_with_one_class(tmp_path: Path):
    with pytest.raises(SystemExit, match="both classes"):
        small_run(tmp_path / "m.tar.gz", "--source-holdout", "alexa")


def test_feature_set_v1_still_trains_a_v1_model(tmp_path: Path):
    out = tmp_path / "m.tar.gz"
    assert small_run(out, "--feature-set", "url-lexical/v1") == 0
    with tarfile.open(fileobj=io.BytesIO(out.read_bytes())) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["featureSet"] == "url-lexical/v1" and len(manifest["features"]) == 1076


def test_later_time_check_tests_both_classes_after_the_date_and_sets_thresholds_on_its_legitimate_rows(tmp_path: Path):
    report, out = tmp_path / "r.json", tmp_path / "m.tar.gz"
    assert small_run(out, "--later-time", "2025-01-01", "--report", str(report),
                     "--compare-artifact", str(ROOT / "models/phishnet-url-lexical-v4.tar.gz"), data=MIXED) == 0
    r = json.loads(report.read_text())
    lt = r["laterTime"]
    rows = [line.rsplit(",", 3) for line in MIXED.read_text().splitlines()[1:]]
    later = [(lab, fs) for _, lab, _, fs in rows if fs >= "2025-01-01"]
    assert lt["testPhishing"] == sum(lab == "1" for lab, _ in later) > 0
    assert lt["testLegitimate"] == sum(lab == "0" for lab, _ in later) > 0
    assert lt["train"] < len(rows) - len(later)  # later rows and the test's registered domains left out
    assert sum(c["legitimate"] + c["phishing"] for c in lt["cells"].values()) == len(later)
    assert 0.5 < lt["stacked"]["rocAuc"] <= 1 and 0 <= lt["stacked"]["ece"] <= 1
    for ref in ("reference 4.0.0 as shipped", "reference 4.0.0 recipe"):  # both on the later-time check
        assert lt[ref]["n"] == len(later) and 0.5 < lt[ref]["rocAuc"] <= 1
    assert lt["reference 4.0.0 recipe"]["train"] < lt["train"]  # urls-train.csv.gz's rows only
    with tarfile.open(fileobj=io.BytesIO(out.read_bytes())) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["thresholds"] == r["thresholds"] and "later-time" in manifest["thresholdPolicy"]["on"]
    for k in ("suspicious", "phishing"):  # the stricter of the later-time and the out-of-fold estimate
        assert r["thresholds"][k] == max(r["thresholdsLaterTime"][k], r["thresholdsOutOfFold"][k])
        assert r["laterTimeAtShippedThresholds"][k]["fpr"] <= (0.001 if k == "phishing" else 0.01)
    assert manifest["thresholdPolicy"]["phishingFpr"] == 0.001 and manifest["thresholdPolicy"]["suspiciousFpr"] == 0.01
    assert manifest["metrics"]["laterTime"]["stacked"]["n"] == len(later)


def test_leave_one_source_out_tests_a_feed_against_held_out_legitimate_domains(tmp_path: Path):
    report = tmp_path / "r.json"
    assert small_run(tmp_path / "m.tar.gz", "--leave-one-source-out", "jpcert:,kagi-smallweb:", "--report", str(report), data=MIXED) == 0
    loso = json.loads(report.read_text())["leaveOneSourceOut"]
    sources = [line.rsplit(",", 3)[2] for line in MIXED.read_text().splitlines()[1:]]
    jp = loso["jpcert:"]
    assert jp["testPhishing"] == sum(s.startswith("jpcert:") for s in sources) and jp["testLegitimate"] > 0
    assert set(jp["sources"]) - {s for s in jp["sources"] if s.startswith("jpcert:")} <= {s for s in set(sources) if s.startswith(("kagi", "twir", "ruanyf"))}
    kagi = loso["kagi-smallweb:"]
    assert kagi["testLegitimate"] == sum(s.startswith("kagi-smallweb:") for s in sources) and kagi["testPhishing"] > 0


def test_probes_are_scored_by_the_final_model(tmp_path: Path):
    report = tmp_path / "r.json"
    assert small_run(tmp_path / "m.tar.gz", "--report", str(report), "--probes", "fixtures/benign-sign-in-pages.csv") == 0
    probe = json.loads(report.read_text())["probes"]["fixtures/benign-sign-in-pages.csv"]
    assert probe["rows"] == probe["legitimate"] == 40
    assert 0 <= probe["phishing"] <= probe["suspiciousOrPhishing"] == len(probe["flagged"]) <= 40


def test_tree_weights_balance_the_classes_within_each_period_and_cell():
    import scipy.sparse as sp
    from phishnet_training import train as T
    urls = np.array(["https://a.com/", "https://b.com/", "https://c.com/", "https://d.com/x", "https://e.com/",
                     "https://f.com/", "https://g.com/"], dtype=object)
    sources = np.array(["pdd", "pdd", "phishstorm", "pdd", "jpcert:2023-2025", "kagi-smallweb:2023-2025:home",
                        "certpl:2025"], dtype=object)
    first_seen = np.array(["", "", "2019-01-01", "", "2024-03-01", "2024-05-01", "2025-02-01"], dtype=object)
    y = np.array([1, 1, 0, 0, 1, 0, 1])
    m = T.Matrix(X=sp.csr_matrix((7, 1)), N=sp.csr_matrix((7, 1)), y=y, groups=urls, sources=sources,
                 first_seen=first_seen, urls=urls, names=["x"])
    idx = np.arange(7)
    saved = dict(T.TREE_WEIGHTING)
    try:
        T.TREE_WEIGHTING.update(balanceCells=False, oldWeight=1.0)
        assert T.tree_weights(m, idx) is None
        T.TREE_WEIGHTING.update(balanceCells=True, oldWeight=2.0)
        w = T.tree_weights(m, idx)
    finally:
        T.TREE_WEIGHTING.update(saved)
    # old https no-path cell: 2 phishing + 1 legitimate, each old row weighted 2 → each class carries 3 of 6
    assert w[:3].tolist() == pytest.approx([1.5, 1.5, 3.0])
    # fresh before 2025, https no path: one row of each class, weight 1; a cell of one class and one row (old https
    # path, fresh 2025) gets half its weight (the other class's half has no rows)
    assert w[4:6].tolist() == pytest.approx([1.0, 1.0]) and w[3] == pytest.approx(1.0) and w[6] == pytest.approx(0.5)


def test_lightgbm_parameters_and_tree_weighting_reach_the_manifest(tmp_path: Path):
    out = tmp_path / "m.tar.gz"
    assert small_run(out, "--num-leaves", "15", "--colsample-bytree", "0.5", "--balance-cells", "--old-weight", "2",
                     data=MIXED) == 0
    with tarfile.open(fileobj=io.BytesIO(out.read_bytes())) as tar:
        hyper = json.loads(tar.extractfile("manifest.json").read())["hyperparameters"]
    assert hyper["lightgbm"] == {"num_leaves": 15, "colsample_bytree": 0.5}
    assert hyper["treeWeighting"] == {"balanceCells": True, "oldWeight": 2.0}
    from phishnet_training import train as T
    assert T.make_lightgbm(1, 5, overrides=False).get_params()["num_leaves"] == 63
