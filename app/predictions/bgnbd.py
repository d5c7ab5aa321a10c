"""The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Each customer is summarised by x (repeat purchases), t_x (time of the last purchase) and T
(length of observation), all measured from the first purchase, in weeks. The four parameters
are fitted by maximum likelihood over log-parameters (so they stay positive) with L-BFGS-B;
identical summaries are fitted once with a weight, which keeps 100k customers well under a second.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


@dataclass(frozen=True, slots=True)
class Params:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


def _compress(x, t_x, T):
    stacked = np.column_stack([x, t_x, T]).astype(float)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return unique[:, 0], unique[:, 1], unique[:, 2], counts.astype(float)


def log_likelihood(r: float, alpha: float, a: float, b: float, x, t_x, T) -> np.ndarray:
    """Each customer's log-likelihood (equation 6 of the paper, in logs)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    stays = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    # Dropped out just after the last purchase: only possible after a repeat purchase (x > 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        drops = betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b) - (r + x) * np.log(alpha + t_x)
    drops = np.where(x > 0, drops, -np.inf)
    return head + np.logaddexp(stays, drops)


def fit(x, t_x, T) -> Params:
    """Maximum-likelihood parameters for these customers."""
    xs, txs, Ts, weights = _compress(x, t_x, T)
    scale = max(float(np.mean(Ts)), 1e-9)

    def negative(log_params):
        r, alpha, a, b = np.exp(log_params)
        value = -float(np.dot(weights, log_likelihood(r, alpha * scale, a, b, xs, txs, Ts)))
        return value if np.isfinite(value) else 1e300

    # alpha is searched relative to the mean T, so one starting point suits days, weeks or years.
    # A second starting point only when the first search did not converge (each costs seconds at 100k).
    best = None
    for start in ([0.0, 0.0, 0.0, 0.0], [np.log(0.5), np.log(0.1), np.log(0.5), np.log(2.0)]):
        result = minimize(negative, np.array(start), method="L-BFGS-B", options={"maxiter": 2000})
        if best is None or result.fun < best.fun:
            best = result
        if result.success:
            break
    r, alpha, a, b = np.exp(best.x)
    return Params(float(r), float(alpha * scale), float(a), float(b), -float(best.fun))


def _odds_dropped(p: Params, x, t_x, T):
    """The odds that a customer with this history has dropped out (0 without a repeat purchase)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = (p.a / (p.b + x - 1)) * ((p.alpha + T) / (p.alpha + t_x)) ** (p.r + x)
    return np.where(x > 0, odds, 0.0)


def p_alive(p: Params, x, t_x, T) -> np.ndarray:
    """The probability that the customer is still buying (equation 11)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    return 1.0 / (1.0 + _odds_dropped(p, x, t_x, T))


def expected_purchases(p: Params, t: float, x, t_x, T) -> np.ndarray:
    """Expected purchases in the next `t` weeks given the history (equation 10)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    r, alpha, a, b = p.r, p.alpha, p.a, p.b
    z = t / (alpha + T + t)
    tail = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * tail / (1.0 + _odds_dropped(p, x, t_x, T))


def drop_below_at(p: Params, threshold: float, x, t_x) -> np.ndarray:
    """The T (weeks since the first purchase) at which p_alive falls to `threshold`.

    p_alive decreases with T for a customer who bought again (x > 0):
    p = 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)), solved for T. Without a repeat
    purchase the model keeps p_alive at 1, so the answer is infinity.
    """
    x, t_x = (np.asarray(v, dtype=float) for v in (x, t_x))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ((1.0 / threshold - 1.0) * (p.b + x - 1) / p.a) ** (1.0 / (p.r + x))
        at = (p.alpha + t_x) * ratio - p.alpha
    return np.where(x > 0, np.maximum(at, t_x), np.inf)


def simulate(p: Params, customers: int, T: float, seed: int = 0):
    """Histories drawn from the model itself (for recovery tests): arrays x, t_x, T."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(p.r, 1.0 / p.alpha, customers)
    drop = rng.beta(p.a, p.b, customers)
    xs, txs = np.zeros(customers), np.zeros(customers)
    for i in range(customers):
        now, count = 0.0, 0
        while True:
            now += rng.exponential(1.0 / lam[i])
            if now > T:
                break
            count, txs[i] = count + 1, now
            if rng.random() < drop[i]:
                break
        xs[i] = count
    return xs, txs, np.full(customers, float(T))
