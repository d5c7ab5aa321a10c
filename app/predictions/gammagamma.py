"""The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999).

A customer's purchases are Gamma(p, nu) around their own mean, nu ~ Gamma(q, gamma) across
customers. Fitted on customers with at least one repeat purchase, from x and the mean spend of
their repeat purchases.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma as psi
from scipy.special import gammaln


@dataclass(frozen=True, slots=True)
class Params:
    p: float
    q: float
    gamma: float
    log_likelihood: float


def log_likelihood(p: float, q: float, gamma: float, x, mean_spend) -> np.ndarray:
    x, m = np.asarray(x, dtype=float), np.asarray(mean_spend, dtype=float)
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + m * x)
    )


def _negative(log_params, x, m, log_m, log_x, scale):
    """-(log-likelihood) and its gradient in (log p, log q, log gamma/scale)."""
    p, q, gamma = np.exp(log_params)
    gamma *= scale
    px = p * x
    log_rest = np.log(gamma + m * x)
    value = np.sum(
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * log_m
        + px * log_x
        - (px + q) * log_rest
    )
    both = psi(px + q)
    d_p = np.sum(x * (both - psi(px) + log_m + log_x - log_rest))
    d_q = np.sum(both - psi(q) + np.log(gamma) - log_rest)
    d_gamma = np.sum(q / gamma - (px + q) / (gamma + m * x))
    gradient = np.array([p * d_p, q * d_q, gamma * d_gamma])
    if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
        return 1e300, np.zeros(3)
    return -float(value), -gradient


def fit(x, mean_spend) -> Params:
    x, m = np.asarray(x, dtype=float), np.asarray(mean_spend, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    scale = max(float(np.mean(m)), 1e-9)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = minimize(
            _negative,
            np.array([0.0, 0.0, 0.0]),
            args=(x, m, np.log(m), np.log(x), scale),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 2000},
        )
    p, q, gamma = np.exp(result.x)
    return Params(float(p), float(q), float(gamma * scale), -float(result.fun))


def expected_spend(params: Params, x, mean_spend) -> np.ndarray:
    """Expected spend per purchase given the history; the population mean when x = 0."""
    x, m = np.asarray(x, dtype=float), np.asarray(mean_spend, dtype=float)
    m = np.where(x > 0, m, 0.0)
    return params.p * (params.gamma + m * x) / (params.p * x + params.q - 1)
