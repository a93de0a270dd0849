"""Distances for matching: the logit of a propensity score, and Mahalanobis by whitening."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from shidian.engine.errors import EngineInputError


def standardize(matrix: np.ndarray) -> np.ndarray:
    mean = matrix.mean(axis=0)
    sd = matrix.std(axis=0)
    sd[sd == 0] = 1.0
    return (matrix - mean) / sd


def propensity_logit(matrix: np.ndarray, treated: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Logit of P(treated | covariates) from a logistic regression on standardised covariates.

    A very weak L2 penalty (C=1e4) keeps the fit finite under (quasi-)separation; on
    well-behaved data it equals the maximum-likelihood fit to many digits.
    """
    features = standardize(matrix)
    # Newton-Cholesky: a few Newton steps, fast when units far outnumber covariates.
    model = LogisticRegression(
        C=1e4, solver="newton-cholesky", max_iter=200, tol=1e-8, random_state=seed
    )
    try:
        model.fit(features, treated.astype(int))
    except ValueError as exc:  # pragma: no cover - guarded by the design checks
        raise EngineInputError(f"The propensity model could not be fitted: {exc}") from exc
    logit = model.decision_function(features)
    if not np.all(np.isfinite(logit)):
        raise EngineInputError(
            "The propensity score is not finite for some units: a covariate separates treated "
            "and controls perfectly; remove it or match exactly on it (--exact)."
        )
    return logit


def mahalanobis_space(matrix: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Coordinates in which Euclidean distance is the Mahalanobis distance.

    Uses the pooled within-group covariance; collinear columns (e.g. all levels of a category)
    are handled by a pseudo-inverse square root.
    """
    centred = matrix.astype(float).copy()
    for group in (treated, ~treated):
        centred[group] -= centred[group].mean(axis=0)
    cov = centred.T @ centred / max(len(matrix) - 2, 1)
    values, vectors = np.linalg.eigh(np.atleast_2d(cov))
    keep = values > max(values.max(), 0) * 1e-10
    if not keep.any():
        return np.zeros((len(matrix), 1))
    whitening = vectors[:, keep] / np.sqrt(values[keep])
    return (matrix - matrix.mean(axis=0)) @ whitening
