"""Quality metrics for probabilistic binary classifiers (label 1 = phishing).

All functions take numpy arrays: ``y`` of 0/1 labels and ``p`` of scores in 0..1 (probabilities where calibration
matters). Definitions follow scikit-learn where it has them; ECE is the equal-width 15-bin expected calibration
error (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017).
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score, roc_curve


def tpr_at_fpr(y: np.ndarray, p: np.ndarray, fpr_target: float) -> float:
    """True-positive rate at the largest threshold whose false-positive rate is <= ``fpr_target`` (0..1)."""
    fpr, tpr, _ = roc_curve(y, p)
    ok = fpr <= fpr_target
    return float(tpr[ok].max()) if ok.any() else 0.0


def threshold_at_fpr(y: np.ndarray, p: np.ndarray, fpr_target: float) -> float:
    """Smallest score threshold t such that FPR of ``p >= t`` on negatives is <= ``fpr_target``."""
    neg = np.sort(p[y == 0])[::-1]
    k = int(np.floor(fpr_target * len(neg)))  # negatives allowed at or above the threshold
    if k >= len(neg):
        return 0.0
    # scores strictly above neg[k] give at most k false positives
    return float(np.nextafter(neg[k], np.float64(1.0)))


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 15) -> float:
    """ECE with ``bins`` equal-width bins over 0..1: sum over bins of |mean(p) - mean(y)| weighted by bin share."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            ece += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(ece)


def summary(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """ROC-AUC, PR-AUC, TPR at 1 % and 0.1 % FPR, Brier score, ECE, and counts, as a flat dict."""
    both = len(np.unique(y)) == 2
    return {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "rocAuc": float(roc_auc_score(y, p)) if both else float("nan"),
        "prAuc": float(average_precision_score(y, p)) if both else float("nan"),
        "tprAt1PctFpr": tpr_at_fpr(y, p, 0.01) if both else float("nan"),
        "tprAt01PctFpr": tpr_at_fpr(y, p, 0.001) if both else float("nan"),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
    }
