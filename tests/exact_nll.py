"""Exact negative log-likelihoods in mpmath, for raw outputs where floats give up.

``exact_nll(recipe, raw, y)`` evaluates ``-log Pr(y | theta)`` of one example from its
raw outputs (a list of Python floats) with the parameters computed exactly: the
softplus of ``-1e4`` is ``e^{-1e4}``, not 0, and the exponential of ``1e4`` is a
number, not infinity.  It returns ``(value, scale)``: ``scale`` is the sum of the
absolute values of the terms a float computation adds up (the size of its rounding
error is ``eps * scale``), so a test can ask for agreement to a few ``eps`` of it.
Written from the densities' definitions, independently of the package's code.

Every recipe with a positive link has a reference here (``REFERENCES``, by class).
"""

import mpmath as mp

import lossrecipe as lr

mp.mp.dps = 40

LOG_2PI = mp.log(2 * mp.pi)


def positive(link, z):
    """``h[z]`` exactly, for the package's positive links."""
    z = mp.mpf(z)
    if isinstance(link, lr.links.Softplus):
        return mp.log1p(mp.exp(z))
    if isinstance(link, lr.links.Exp):
        return mp.exp(z)
    assert isinstance(link, lr.links.Square), link
    return z * z


def _sum(*terms):
    return mp.fsum(terms), mp.fsum(abs(t) for t in terms)


def _normal(y, mean, variance):
    """``(-log Norm_y[mean, variance], scale)``."""
    quad = (mp.mpf(y) - mean) ** 2 / variance
    return _sum(quad / 2, mp.log(variance) / 2, LOG_2PI / 2)


def _hetero(recipe, raw, y):
    return _normal(y, mp.mpf(raw[0]), positive(recipe.variance_link, raw[1]))


def _mixture(recipe, raw, y):
    k = recipe.num_components
    logits, means = raw[:k], raw[k : 2 * k]
    log_norm = mp.log(mp.fsum(mp.exp(mp.mpf(v)) for v in logits))
    joint = []
    for logit, mean, raw_var in zip(logits, means, raw[2 * k :], strict=True):
        value, scale = _normal(y, mp.mpf(mean), positive(recipe.variance_link, raw_var))
        log_weight = mp.mpf(logit) - log_norm
        joint.append((log_weight - value, abs(log_weight) + scale))
    value = -mp.log(mp.fsum(mp.exp(j) for j, _ in joint))
    # the scale of the component that dominates, and of the log-sum-exp over the logits
    return value, max(joint)[1] + abs(value) + abs(log_norm)


def _student(recipe, raw, y):
    location, scale_ = mp.mpf(raw[0]), positive(recipe.positive_link, raw[1])
    nu = mp.mpf(recipe.df) if recipe.df is not None else positive(recipe.positive_link, raw[2])
    t2 = ((mp.mpf(y) - location) / scale_) ** 2 / nu
    return _sum(
        mp.log(scale_),
        mp.log(nu * mp.pi) / 2,
        -_log_gamma_ratio_half(nu / 2),
        (nu + 1) / 2 * mp.log1p(t2),
    )


def _log_gamma_ratio_half(x):
    """``log Gamma[x + 1/2] - log Gamma[x]``.  Beyond ``x = 1e30`` the two log-gammas
    cancel in all of 40 digits; there the ratio is ``log[x] / 2 - 1/(8x)`` to within
    ``1/(192 x^3)``, far below what a float holds."""
    if x > 1e30:
        return mp.log(x) / 2 - 1 / (8 * x)
    return mp.loggamma(x + mp.mpf(1) / 2) - mp.loggamma(x)


def _gamma(recipe, raw, y):
    alpha, beta = (positive(recipe.positive_link, z) for z in raw)
    y = mp.mpf(y)
    return _sum(mp.loggamma(alpha), -alpha * mp.log(beta), -(alpha - 1) * mp.log(y), beta * y)


def _beta(recipe, raw, y):
    alpha, beta = (positive(recipe.positive_link, z) for z in raw)
    y = mp.mpf(y)
    return _sum(
        mp.loggamma(alpha),
        mp.loggamma(beta),
        -mp.loggamma(alpha + beta),
        -(alpha - 1) * mp.log(y),
        -(beta - 1) * mp.log1p(-y),
    )


def _multivariate(recipe, raw, y):
    d = recipe.num_dims
    link = recipe.scale_link.diagonal
    diagonal = [positive(link, z) for z in raw[d : 2 * d]]
    lower = iter(raw[2 * d :])  # (1, 0), (2, 0), (2, 1), ...
    rows = [[mp.mpf(next(lower)) for _ in range(i)] for i in range(d)]
    z, bound = [], []  # forward substitution, and the same with every term made positive
    for i in range(d):
        residual = mp.mpf(y[i]) - mp.mpf(raw[i])
        z.append((residual - mp.fsum(a * b for a, b in zip(rows[i], z, strict=True))) / diagonal[i])
        total = abs(residual) + mp.fsum(abs(a) * b for a, b in zip(rows[i], bound, strict=True))
        bound.append(total / diagonal[i])
    value = mp.fsum(v * v for v in z) / 2 + mp.fsum(mp.log(v) for v in diagonal) + d * LOG_2PI / 2
    scale = mp.fsum(b * b for b in bound) / 2 + mp.fsum(abs(mp.log(v)) for v in diagonal) + d * 2
    return value, scale


def _poisson(recipe, raw, y):
    z = mp.mpf(raw[0])
    return _sum(mp.exp(z), -y * z, mp.loggamma(y + 1))


def _negative_binomial(recipe, raw, y):
    # Pr(y) = Gamma[y + r] / (Gamma[r] y!) (r / (r + mu))^r (mu / (r + mu))^y, r = 1 / alpha;
    # for a count y, Gamma[y + r] / Gamma[r] = r (r + 1) ... (r + y - 1): exact where r is
    # so large that the two log-gammas would cancel in all 40 digits
    z, count = mp.mpf(raw[0]), int(y)
    assert count == y >= 0, y
    alpha = positive(recipe.positive_link, raw[1])
    r, mu = 1 / alpha, mp.exp(z)
    rising = mp.fsum(mp.log(r + j) for j in range(count))
    # log[r / (r + mu)] = -log1p[mu / r] and log[mu / (r + mu)] = -log1p[r / mu]
    return _sum(-rising, mp.loggamma(count + 1), r * mp.log1p(mu / r), count * mp.log1p(r / mu))


def _zero_inflated_poisson(recipe, raw, y):
    # Pr(0) = pi + (1 - pi) e^-lambda, Pr(k) = (1 - pi) Poisson(k; lambda), pi = sig[w];
    # 1 - pi = sig[-w] is formed as such, not by a subtraction that rounds to 0 at w = 1e4
    w, z = mp.mpf(raw[0]), mp.mpf(raw[1])
    pi, one_minus_pi, rate = 1 / (1 + mp.exp(-w)), 1 / (1 + mp.exp(w)), mp.exp(z)
    if y == 0:
        value = -mp.log(pi + one_minus_pi * mp.exp(-rate))
        return value, abs(value) + 1
    return _sum(-mp.log(one_minus_pi), rate, -y * z, mp.loggamma(y + 1))


def _independent(recipe, raw, y):
    width = recipe.recipe.num_outputs
    parts = [
        exact_nll(recipe.recipe, raw[d * width : (d + 1) * width], y[d])
        for d in range(recipe.num_dims)
    ]
    return mp.fsum(v for v, _ in parts), mp.fsum(s for _, s in parts)


REFERENCES = {
    lr.HeteroscedasticGaussian: _hetero,
    lr.GaussianMixture: _mixture,
    lr.StudentT: _student,
    lr.Gamma: _gamma,
    lr.Beta: _beta,
    lr.MultivariateGaussian: _multivariate,
    lr.Poisson: _poisson,
    lr.NegativeBinomial: _negative_binomial,
    lr.ZeroInflatedPoisson: _zero_inflated_poisson,
    lr.Independent: _independent,
}


def exact_nll(recipe, raw, y):
    """``(-log Pr(y | theta), scale)`` for one example's raw outputs ``raw`` (floats)."""
    return REFERENCES[type(recipe)](recipe, raw, y)
