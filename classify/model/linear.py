"""A calibrated multi-label linear classifier whose fitted state is a few arrays.

One logistic regression per label (balanced class weights, so rare labels are not drowned),
then Platt scaling fitted on out-of-fold scores, so a score of 0.8 means about 80 % of such posts
carry the label. The out-of-fold scores stay on the fitted model (`oof_`, not saved) so training
can choose each label's operating threshold on rows the scoring model never saw. Rows may carry
weights (the brand's own rows count more than public ones). Prediction is one sparse product and
a sigmoid: fast, and each feature's share of a score is `x_j * coef_j`, which is how the
evidence is explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

__all__ = ["CalibratedLinear", "KindClassifier"]

Matrix: TypeAlias = "sp.csr_matrix | np.ndarray"


class CalibratedLinear(ClassifierMixin, BaseEstimator):
    """fit(X, Y) with Y an (n_samples, n_labels) 0/1 matrix; predict_proba gives calibrated scores."""

    def __init__(self, C: float = 4.0, calibration_folds: int = 3, random_state: int = 0) -> None:
        self.C = C
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    def fit(
        self, X: Matrix, Y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> CalibratedLinear:
        Y = np.asarray(Y, dtype=np.int8)
        n_labels = Y.shape[1]
        self.coef_ = np.zeros((n_labels, X.shape[1]), dtype=np.float32)
        self.intercept_ = np.zeros(n_labels, dtype=np.float32)
        self.platt_ = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (n_labels, 1))
        self.oof_ = np.full((X.shape[0], n_labels), np.nan, dtype=np.float32)
        for k in range(n_labels):
            self._fit_label(X, Y[:, k], k, sample_weight)
        return self

    def _fit_label(self, X: Matrix, y: np.ndarray, k: int, weight: np.ndarray | None) -> None:
        positives = int(y.sum())
        if positives == 0 or positives == len(y):
            self.intercept_[k] = (
                -20.0 if positives == 0 else 20.0
            )  # a constant, explained by nothing
            return
        estimator = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
        folds = min(self.calibration_folds, positives, len(y) - positives)
        if folds >= 2:
            cv = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            scores = cross_val_predict(
                estimator,
                X,
                y,
                cv=cv,
                method="decision_function",
                params={} if weight is None else {"sample_weight": weight},
            )
            platt = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), y)
            self.platt_[k] = (platt.coef_[0, 0], platt.intercept_[0])
            self.oof_[:, k] = expit(scores * self.platt_[k, 0] + self.platt_[k, 1])
        estimator.fit(X, y, sample_weight=weight)
        self.coef_[k] = estimator.coef_[0]
        self.intercept_[k] = estimator.intercept_[0]

    def decision_function(self, X: Matrix) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: Matrix) -> np.ndarray:
        """Calibrated probability of each label, shape (n_samples, n_labels)."""
        return expit(self.decision_function(X) * self.platt_[:, 0] + self.platt_[:, 1])

    def predict(self, X: Matrix, threshold: float = 0.5) -> np.ndarray:
        return (self.predict_proba(X) >= threshold).astype(np.int8)

    def contributions(
        self, indices: np.ndarray, values: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """For one row's non-zero features (indices, values): each one's share of label k's score."""
        return indices, values * self.coef_[k, indices]

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"coef": self.coef_, "intercept": self.intercept_, "platt": self.platt_}

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], params: dict[str, object]
    ) -> CalibratedLinear:
        model = cls(**params)  # type: ignore[arg-type]
        model.coef_ = arrays["coef"].astype(np.float32)
        model.intercept_ = arrays["intercept"].astype(np.float32)
        model.platt_ = arrays["platt"].astype(np.float32)
        return model


class KindClassifier(ClassifierMixin, BaseEstimator):
    """Which kind of disclosure (confidential, personal_data, location, credentials) a post is.

    A multinomial logistic regression over the same features, used when the model, not a
    detector, found the disclosure (a detector's hit names its kind itself).
    """

    def __init__(self, C: float = 4.0) -> None:
        self.C = C

    def fit(self, X: Matrix, kinds: Sequence[str]) -> KindClassifier:
        estimator = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000).fit(
            X, kinds
        )
        self.classes_ = np.asarray(estimator.classes_, dtype=str)
        self.coef_ = estimator.coef_.astype(np.float32)
        self.intercept_ = estimator.intercept_.astype(np.float32)
        if len(self.classes_) == 2:  # sklearn keeps one row for two classes: make it one per class
            self.coef_ = np.vstack([-self.coef_, self.coef_])
            self.intercept_ = np.array([-self.intercept_[0], self.intercept_[0]], dtype=np.float32)
        return self

    def predict(self, X: Matrix) -> np.ndarray:
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return self.classes_[scores.argmax(axis=1)]

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "kind_classes": self.classes_,
            "kind_coef": self.coef_,
            "kind_intercept": self.intercept_,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> KindClassifier | None:
        if "kind_classes" not in arrays:
            return None
        model = cls()
        model.classes_ = arrays["kind_classes"].astype(str)
        model.coef_ = arrays["kind_coef"].astype(np.float32)
        model.intercept_ = arrays["kind_intercept"].astype(np.float32)
        return model
