"""Features of a small classifier, for a Fréchet distance between image sets."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["ClassifierFeatures"]


class ClassifierFeatures(TransformerMixin, BaseEstimator):
    """Hidden-layer features of a one-layer MLP classifier trained on real images.

    The Fréchet distance between these features of real and generated
    images is the analogue of the Fréchet Inception Distance for small
    data sets such as the 8x8 digits or MNIST, where no pretrained network
    ships with the package. ``fit`` trains the classifier on part of the
    labelled images and records its accuracy on the rest, because features
    of a poor classifier make a poor distance.

    Parameters
    ----------
    hidden_units : int, default=128
        Width of the hidden layer, which is the feature dimension.
    max_iter : int, default=200
        Training epochs of :class:`sklearn.neural_network.MLPClassifier`.
    test_size : float, default=0.25
        Fraction of the images held out to measure the accuracy.
    random_state : int, RandomState instance or None, default=0
        Seed of the split and of the classifier.

    Attributes
    ----------
    accuracy_ : float
        Accuracy of the classifier on the held-out images.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    scaler_ : StandardScaler
        Standardisation fitted on the training images.
    classifier_ : MLPClassifier
        The fitted classifier.

    Examples
    --------
    >>> from isgan_sk.datasets import load_digits
    >>> from isgan_sk.metrics import ClassifierFeatures, frechet_distance
    >>> X, y = load_digits()
    >>> features = ClassifierFeatures(max_iter=50).fit(X, y)
    >>> features.transform(X[:5]).shape
    (5, 128)
    >>> frechet_distance(X[::2], X[1::2], feature_extractor=features) < 20
    True
    """

    def __init__(self, hidden_units=128, max_iter=200, test_size=0.25, random_state=0):
        self.hidden_units = hidden_units
        self.max_iter = max_iter
        self.test_size = test_size
        self.random_state = random_state

    def fit(self, X, y):
        """Train the classifier on images ``X`` with labels ``y``."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        X_fit, X_test, y_fit, y_test = train_test_split(
            X, y, test_size=self.test_size, random_state=self.random_state, stratify=y
        )
        self.scaler_ = StandardScaler().fit(X_fit)
        self.classifier_ = MLPClassifier(
            hidden_layer_sizes=(self.hidden_units,),
            max_iter=self.max_iter,
            random_state=self.random_state,
        )
        self.classifier_.fit(self.scaler_.transform(X_fit), y_fit)
        self.classes_ = self.classifier_.classes_
        self.accuracy_ = float(self.classifier_.score(self.scaler_.transform(X_test), y_test))
        return self

    def transform(self, X):
        """Return the ReLU activations of the classifier's hidden layer."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        hidden = self.scaler_.transform(X) @ self.classifier_.coefs_[0]
        return np.maximum(hidden + self.classifier_.intercepts_[0], 0.0)

    def class_coverage(self, X, min_share=0.01):
        """Return the fraction of classes predicted for at least ``min_share`` of ``X``."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        predicted = self.classifier_.predict(self.scaler_.transform(X))
        counts = np.array([np.sum(predicted == label) for label in self.classes_])
        return float(np.mean(counts >= min_share * len(X)))
