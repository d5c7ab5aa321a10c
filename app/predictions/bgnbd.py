"""The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Each customer is summarised by x (repeat purchases), t_x (time of the last purchase) and T
(length of observation), all measured from the first purchase, in weeks. The four parameters
are fitted by maximum likelihood over log-parameters (so they stay positive) with L-BFGS-B and
the likelihood's analytic gradient; identical summaries count once with a weight, and the special
functions are evaluated per distinct x, t_x or T only (bench/metrics.py times the fit).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1
from scipy.special import digamma as psi


@dataclass(frozen=True, slots=True)
class Params:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


class _Histories:
    """Customers grouped for the fit: each distinct (x, t_x, T) once with its count as weight, and
    each of x, t_x and T indexed into its own few distinct values (a shop has at most a few
    thousand days), so the special functions run over those values and not once per customer."""

    def __init__(self, x, t_x, T):
        columns = [np.unique(np.asarray(v, dtype=float), return_inverse=True) for v in (x, t_x, T)]
        # Sorting by the three places in the columns' distinct values groups equal histories.
        ix, it, iT = (index for _, index in columns)
        order = np.lexsort((iT, it, ix))
        ix, it, iT = ix[order], it[order], iT[order]
        starts = np.flatnonzero(np.r_[True, (np.diff(ix) != 0) | (np.diff(it) != 0) | (np.diff(iT) != 0)])
        counts = np.diff(np.r_[starts, len(order)])
        self.weights = counts.astype(float)
        (self.ux, _), (self.ut, _), (self.uT, _) = columns
        self.ix, self.it, self.iT = ix[starts], it[starts], iT[starts]
        self.x, self.t_x, self.T = self.ux[self.ix], self.ut[self.it], self.uT[self.iT]
        self.repeat = self.x > 0

    def negative_log_likelihood(self, r: float, alpha: float, a: float, b: float):
        """-(weighted log-likelihood) and its gradient in (log r, log alpha, log a, log b)."""
        ux, x, w = self.ux, self.x, self.weights
        ab = betaln(a, b)
        # Equation 6 of the paper, in logs: head + log(exp(stays) + exp(drops)).
        head = (gammaln(r + ux) - gammaln(r))[self.ix] + r * np.log(alpha)
        log_T, log_t = np.log(alpha + self.uT)[self.iT], np.log(alpha + self.ut)[self.it]
        stays = (betaln(a, b + ux) - ab)[self.ix] - (r + x) * log_T
        # Dropped out just after the last purchase: only possible after a repeat purchase (x > 0).
        ux1 = np.maximum(ux, 1)
        drops = np.where(self.repeat, (betaln(a + 1, b + ux1 - 1) - ab)[self.ix] - (r + x) * log_t, -np.inf)
        total = np.logaddexp(stays, drops)
        value = float(np.dot(w, head + total))
        # Gradient: each term weighted by its share of the sum (softmax of stays and drops).
        share_stays = np.exp(stays - total)
        share_drops = 1.0 - share_stays
        d_r = (psi(r + ux) - psi(r))[self.ix] + np.log(alpha) - share_stays * log_T - share_drops * log_t
        d_alpha = r / alpha - (r + x) * (
            share_stays / (alpha + self.uT)[self.iT] + share_drops / (alpha + self.ut)[self.it]
        )
        psi_ab, psi_abx = psi(a + b), psi(a + b + ux)
        stays_a = (psi_ab - psi_abx)[self.ix]
        stays_b = (psi(b + ux) - psi_abx - psi(b) + psi_ab)[self.ix]
        drops_a = (psi(a + 1) - psi_abx - psi(a) + psi_ab)[self.ix]
        drops_b = (psi(b + ux1 - 1) - psi_abx - psi(b) + psi_ab)[self.ix]
        d_a = share_stays * stays_a + share_drops * drops_a
        d_b = share_stays * stays_b + share_drops * drops_b
        gradient = np.array([r * (w @ d_r), alpha * (w @ d_alpha), a * (w @ d_a), b * (w @ d_b)])
        return -value, -gradient


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
    data = _Histories(x, t_x, T)
    scale = max(float(np.mean(data.T)), 1e-9)

    def negative(log_params):
        r, alpha, a, b = np.exp(log_params)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value, gradient = data.negative_log_likelihood(r, alpha * scale, a, b)
        if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
            return 1e300, np.zeros(4)
        return value, gradient

    # alpha is searched relative to the mean T, so one starting point suits days, weeks or years.
    # A second starting point only when the first search did not converge.
    best = None
    for start in ([0.0, 0.0, 0.0, 0.0], [np.log(0.5), np.log(0.1), np.log(0.5), np.log(2.0)]):
        result = minimize(negative, np.array(start), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
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
