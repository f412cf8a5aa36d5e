"""StudentT, Gamma and Beta: SciPy and closed-form references, extremes, modes, bad input.

The contract test (``test_contract.py``) already compares each with
``torch.distributions``; here the references are independent of PyTorch: SciPy's
densities, mpmath at 50 digits, and the derivatives written out by hand.
"""

import math

import mpmath
import pytest
import scipy.special as sc
import scipy.stats as st
import torch

import lossrecipe as lr
from lossrecipe.recipes._numerics import log_gamma_ratio_half

from .conftest import assert_near, generator, grad_of

N = 64


def _softplus(z):
    return torch.nn.functional.softplus(z.double())


def _sigmoid(z):
    return torch.sigmoid(z.double())


# ---------------------------------------------------------------- Student-t


def _batch(dtype, to_support, columns=2, seed=0):
    """Raw outputs ``(N, columns)`` and targets ``to_support[z]`` of standard normal ``z``."""
    g = generator(seed)
    outputs = torch.randn(N, columns, generator=g, dtype=torch.float64)
    y = to_support(torch.randn(N, generator=g, dtype=torch.float64))
    return outputs.to(dtype), y.to(dtype)


def _student_batch(dtype, columns, seed=0):
    return _batch(dtype, lambda z: 3.0 * z, columns, seed)


@pytest.mark.parametrize("df", [0.3, 1.0, 4.0, 30.0])
def test_student_t_fixed_df_matches_scipy(dtype, df):
    outputs, y = _student_batch(dtype, 2)
    value, grad = grad_of(lambda o: lr.StudentT(df=df).nll(o, y, reduction="none"), outputs)
    mu, z, yy = outputs[:, 0].double(), outputs[:, 1].double(), y.double()
    s = _softplus(z)
    ref = -torch.from_numpy(st.t.logpdf(yy.numpy(), df, loc=mu.numpy(), scale=s.numpy()))
    assert_near(value, ref)
    # d/dmu = -(nu + 1) d / (nu s^2 + d^2), d/ds = 1/s - (nu + 1) d^2 / (s (nu s^2 + d^2))
    d = yy - mu
    denom = df * s**2 + d**2
    d_mu = -(df + 1.0) * d / denom
    d_s = 1.0 / s - (df + 1.0) * d**2 / (s * denom)
    ref_grad = torch.stack([d_mu, d_s * _sigmoid(z)], dim=1)
    assert_near(grad, ref_grad)


def test_student_t_learned_df_matches_scipy(dtype):
    outputs, y = _student_batch(dtype, 3, seed=1)
    r = lr.StudentT(df=None)
    value, grad = grad_of(lambda o: r.nll(o, y, reduction="none"), outputs)
    mu, s, nu = outputs[:, 0].double(), _softplus(outputs[:, 1]), _softplus(outputs[:, 2])
    yy = y.double()
    ref = -torch.from_numpy(st.t.logpdf(yy.numpy(), nu.numpy(), loc=mu.numpy(), scale=s.numpy()))
    assert_near(value, ref)
    # d/dnu = -psi[(nu+1)/2]/2 + psi[nu/2]/2 + 1/(2 nu) + log[1 + r]/2 - (nu+1) r / (2 nu (1+r)),
    # r = d^2 / (nu s^2)
    n, d = nu.numpy(), (yy - mu).numpy()
    ratio = d**2 / (n * s.numpy() ** 2)
    d_nu = (
        -sc.digamma((n + 1) / 2) / 2
        + sc.digamma(n / 2) / 2
        + 1 / (2 * n)
        + torch.log1p(torch.from_numpy(ratio)).numpy() / 2
        - (n + 1) * ratio / (2 * n * (1 + ratio))
    )
    ref_d_nu = torch.from_numpy(d_nu) * _sigmoid(outputs[:, 2])
    assert_near(grad[:, 2], ref_d_nu)


def _student_nll_mpmath(y, mu, s, nu):
    """-log of the Student-t density at 50 digits, from its definition."""
    with mpmath.workdps(50):
        y, mu, s, nu = (mpmath.mpf(float(v)) for v in (y, mu, s, nu))
        log_density = (
            mpmath.loggamma((nu + 1) / 2)
            - mpmath.loggamma(nu / 2)
            - mpmath.log(mpmath.sqrt(nu * mpmath.pi) * s)
            - (nu + 1) / 2 * mpmath.log(1 + ((y - mu) / s) ** 2 / nu)
        )
        return float(-log_density)


def test_student_t_huge_df_is_exact():
    # nu = exp(30) ~ 1e13: lgamma[(nu+1)/2] and lgamma[nu/2] are ~1.4e14 each, and
    # subtracting them directly leaves ~1e-2 of rounding; the series does not.
    g = generator(2)
    mu = torch.randn(N, dtype=torch.float64, generator=g)
    log_s = 0.3 * torch.randn(N, dtype=torch.float64, generator=g)
    y = torch.randn(N, dtype=torch.float64, generator=g)
    outputs = torch.stack([mu, log_s, torch.full_like(mu, 30.0)], dim=1)
    r = lr.StudentT(df=None, link="exp")
    value = r.nll(outputs, y, reduction="none")
    nu = math.exp(30.0)
    ref = torch.tensor(
        [_student_nll_mpmath(*row, nu) for row in zip(y, mu, log_s.exp(), strict=True)],
        dtype=torch.float64,
    )
    assert_near(value, ref)
    # torch's log_prob subtracts the two lgammas directly
    naive_error = float((r.distribution(outputs).log_prob(y) + ref).abs().max())
    assert naive_error > 1e-4


@pytest.mark.parametrize("x", [1e-3, 0.5, 3.0, 29.99, 30.0, 30.01, 100.0, 1e3, 1e8, 1e13])
def test_log_gamma_ratio_half_against_mpmath(x):
    with mpmath.workdps(50):
        exact = float(mpmath.loggamma(mpmath.mpf(x) + 0.5) - mpmath.loggamma(mpmath.mpf(x)))
    ours = float(log_gamma_ratio_half(torch.tensor(math.log(x), dtype=torch.float64)))
    # below 30 the two lgammas each round to within a few eps of their own size, and
    # x = exp(log x) is itself a few eps (relative) away from x
    scale = abs(math.lgamma(x)) + abs(math.lgamma(x + 0.5)) if x < 30 else abs(exact)
    assert abs(ours - exact) <= 8 * 2.2e-16 * max(1.0, scale)


@pytest.mark.parametrize("log_x", [-1e4, -800.0, 800.0])
def test_log_gamma_ratio_half_where_x_under_or_overflows(log_x):
    # x = e^{log x} is 0 or inf as a float; the ratio is not: log[Gamma[x + 1/2] /
    # Gamma[x]] = log Gamma[1/2] + log x + O(x) for small x, log[x] / 2 for large x.
    with mpmath.workdps(int(max(log_x, 0.0) / 2.3) + 50):  # the lgammas are ~e^{log x}
        x = mpmath.exp(log_x)
        exact = float(mpmath.loggamma(x + 0.5) - mpmath.loggamma(x))
    log_x_tensor = torch.tensor(log_x, dtype=torch.float64, requires_grad=True)
    ours = log_gamma_ratio_half(log_x_tensor)
    ours.backward()
    assert float(ours.detach()) == pytest.approx(exact, rel=1e-14)
    assert float(log_x_tensor.grad) == pytest.approx(1.0 if log_x < 0 else 0.5, rel=1e-12)


def test_log_gamma_ratio_half_is_continuous_at_the_switch():
    x = torch.tensor(math.log(30.0), dtype=torch.float64)
    below = torch.nextafter(x, torch.tensor(0.0, dtype=torch.float64))
    step = float(log_gamma_ratio_half(x) - log_gamma_ratio_half(below))
    assert abs(step) < 1e-13


def test_student_t_extreme_location_and_scale_stay_finite(dtype):
    # location +-1e4 with scale and df at the links' ends (softplus[-30] ~ 1e-13):
    # (y - mu)^2 / (nu s^2) ~ 1e47 overflows float32; the NLL must not.
    rows = [[1e4, -30.0, -30.0], [-1e4, -30.0, 30.0], [1e4, 30.0, -30.0], [-1e4, 30.0, 30.0]]
    outputs = torch.tensor(rows, dtype=dtype)
    y = torch.tensor([-1e4, 1e4, 0.0, 5.0], dtype=dtype)
    value, grad = grad_of(lambda o: lr.StudentT(df=None).nll(o, y, reduction="none"), outputs)
    assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())
    out64 = outputs.double()
    mu, s, nu = out64[:, 0], _softplus(out64[:, 1]), _softplus(out64[:, 2])
    ref = torch.tensor(
        [_student_nll_mpmath(*row) for row in zip(y.double(), mu, s, nu, strict=True)],
        dtype=torch.float64,
    )
    assert_near(value, ref, scale=1.0)


def test_student_t_params_and_predict():
    outputs = torch.tensor([[0.5, 0.0], [-2.0, 1.0]], dtype=torch.float64)
    theta = lr.StudentT(df=3.0).params(outputs)
    assert list(theta) == ["location", "scale", "df"]
    torch.testing.assert_close(theta["df"], torch.tensor([3.0, 3.0], dtype=torch.float64))
    torch.testing.assert_close(theta["scale"], _softplus(outputs[:, 1]))
    assert torch.equal(lr.StudentT(df=3.0).predict(outputs), outputs[:, 0])
    learned = lr.StudentT(df=None)
    assert learned.num_outputs == 3 and lr.StudentT().num_outputs == 2
    out3 = torch.tensor([[0.5, 0.0, 2.0]], dtype=torch.float64)
    torch.testing.assert_close(learned.params(out3)["df"], _softplus(out3[:, 2]))


@pytest.mark.parametrize("df", [0.0, -1.0, float("nan"), float("inf"), "four"])
def test_student_t_bad_df(df):
    with pytest.raises(ValueError, match="df"):
        lr.StudentT(df=df)


def test_student_t_bad_link():
    with pytest.raises(ValueError, match="link"):
        lr.StudentT(link="sigmoid")


def test_student_t_wrong_number_of_outputs():
    with pytest.raises(ValueError, match="outputs"):
        lr.StudentT(df=None).nll(torch.zeros(4, 2), torch.zeros(4))


def test_student_t_infinite_target():
    with pytest.raises(ValueError, match="y"):
        lr.StudentT().nll(torch.zeros(2, 2), torch.tensor([0.0, float("inf")]))


# ---------------------------------------------------------------- Gamma


@pytest.mark.parametrize("link", ["softplus", "exp"])
def test_gamma_matches_scipy_and_hand_derivatives(dtype, link):
    outputs, y = _batch(dtype, torch.exp)
    r = lr.Gamma(link=link)
    value, grad = grad_of(lambda o: r.nll(o, y, reduction="none"), outputs)
    h = lr.links.get_link(link)
    a, b, yy = h(outputs[:, 0].double()), h(outputs[:, 1].double()), y.double()
    ref = -torch.from_numpy(st.gamma.logpdf(yy.numpy(), a.numpy(), scale=1 / b.numpy()))
    assert_near(value, ref)
    # d/dalpha = psi[alpha] - log beta - log y, d/dbeta = y - alpha / beta; times h'
    slope = _sigmoid if link == "softplus" else (lambda z: torch.exp(z.double()))
    d_a = torch.from_numpy(sc.digamma(a.numpy())) - b.log() - yy.log()
    d_b = yy - a / b
    ref_grad = torch.stack([d_a * slope(outputs[:, 0]), d_b * slope(outputs[:, 1])], dim=1)
    assert_near(grad, ref_grad)


def test_gamma_extremes_stay_finite_and_exact(dtype):
    # exp link at +-30: alpha, beta from 1e-13 to 1e13; y from 1e-30 to 1e30.
    outputs = torch.tensor([[30.0, 30.0], [-30.0, -30.0], [30.0, -30.0], [-30.0, 30.0]])
    y = torch.tensor([1.0, 1e30, 1e-30, 1e-13])
    outputs, y = outputs.to(dtype), y.to(dtype)
    value, grad = grad_of(lambda o: lr.Gamma(link="exp").nll(o, y, reduction="none"), outputs)
    assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())
    a, b = torch.exp(outputs[:, 0].double()), torch.exp(outputs[:, 1].double())
    yy = y.double()
    terms = [
        (float(mpmath.loggamma(ai)), -ai * math.log(bi), -(ai - 1) * math.log(yi), bi * yi)
        for ai, bi, yi in zip(a.tolist(), b.tolist(), yy.tolist(), strict=True)
    ]
    ref = torch.tensor([sum(t) for t in terms], dtype=torch.float64)
    magnitude = torch.tensor([max(abs(u) for u in t) for t in terms], dtype=torch.float64)
    eps = torch.finfo(dtype).eps
    assert bool(((value.double() - ref).abs() <= 16 * eps * magnitude).all())


def test_gamma_mode_rule():
    # alpha = 0.5, 1, 3 with beta = 2: modes 0, 0, 1
    a = torch.tensor([0.5, 1.0, 3.0], dtype=torch.float64)
    outputs = torch.stack([torch.log(a), torch.full_like(a, math.log(2.0))], dim=1)
    r = lr.Gamma(link="exp")
    torch.testing.assert_close(
        r.predict(outputs), torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    )
    # alpha < 1: the density decreases, so a point nearer 0 is always more probable
    dist = r.distribution(outputs[:1])
    assert float(dist.log_prob(torch.tensor([1e-6]))) > float(dist.log_prob(torch.tensor([1e-3])))


def test_gamma_params_keys():
    theta = lr.Gamma().params(torch.zeros(3, 2))
    assert list(theta) == ["concentration", "rate"]
    assert lr.Gamma().layout == (("raw_concentration", 1), ("raw_rate", 1))


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_gamma_non_positive_or_nan_target(bad):
    with pytest.raises(ValueError, match="y"):
        lr.Gamma().nll(torch.zeros(2, 2), torch.tensor([1.0, bad]))


def test_gamma_wrong_number_of_outputs():
    with pytest.raises(ValueError, match="outputs"):
        lr.Gamma().nll(torch.zeros(2, 3), torch.ones(2))


def test_gamma_mismatched_batch():
    with pytest.raises(ValueError, match="y"):
        lr.Gamma().nll(torch.zeros(2, 2), torch.ones(3))


def test_gamma_bad_link():
    with pytest.raises(ValueError, match="link"):
        lr.Gamma(link="identity")


# ---------------------------------------------------------------- Beta


@pytest.mark.parametrize("link", ["softplus", "exp"])
def test_beta_matches_scipy_and_hand_derivatives(dtype, link):
    outputs, y = _batch(dtype, lambda z: torch.sigmoid(2.0 * z))
    r = lr.Beta(link=link)
    value, grad = grad_of(lambda o: r.nll(o, y, reduction="none"), outputs)
    h = lr.links.get_link(link)
    a, b, yy = h(outputs[:, 0].double()), h(outputs[:, 1].double()), y.double()
    ref = -torch.from_numpy(st.beta.logpdf(yy.numpy(), a.numpy(), b.numpy()))
    assert_near(value, ref)
    # d/dalpha = psi[alpha] - psi[alpha + beta] - log y, same for beta with log[1 - y]
    psi = lambda v: torch.from_numpy(sc.digamma(v.numpy()))  # noqa: E731
    d_a = psi(a) - psi(a + b) - yy.log()
    d_b = psi(b) - psi(a + b) - torch.log1p(-yy)
    slope = _sigmoid if link == "softplus" else (lambda z: torch.exp(z.double()))
    ref_grad = torch.stack([d_a * slope(outputs[:, 0]), d_b * slope(outputs[:, 1])], dim=1)
    assert_near(grad, ref_grad)


def test_beta_targets_near_the_ends_are_exact(dtype):
    # y = 1 - 2^-24 (float32) or 1 - 2^-53: log1p(-y) keeps every digit of log(1 - y)
    eps = torch.finfo(dtype).eps
    y = torch.tensor([torch.finfo(dtype).tiny, 1.0 - eps / 2, 0.5], dtype=dtype)
    outputs = torch.tensor([[0.3, -0.2]] * 3, dtype=dtype)
    value = lr.Beta().nll(outputs, y, reduction="none")
    a, b = _softplus(outputs[:, 0]), _softplus(outputs[:, 1])
    ref = -torch.from_numpy(st.beta.logpdf(y.double().numpy(), a.numpy(), b.numpy()))
    assert_near(value, ref)


def test_beta_extremes_stay_finite(dtype):
    outputs = torch.tensor(
        [[30.0, 30.0], [-30.0, -30.0], [30.0, -30.0], [-30.0, 30.0]], dtype=dtype
    )
    y = torch.tensor([0.5, 1e-20, 0.999, 0.3], dtype=dtype)
    for link in ["softplus", "exp"]:
        value, grad = grad_of(
            lambda o, k=link: lr.Beta(link=k).nll(o, y, reduction="none"), outputs
        )
        assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())


# (alpha, beta) in each range of the mode rule, its boundary lines included, and the mode:
# both > 1: interior; alpha <= 1 <= beta, alpha < beta: the edge 0 (the density falls);
# beta <= 1 <= alpha, beta < alpha: the edge 1 (it rises); both < 1: U-shaped, and
# both = 1: flat, where predict returns the mean.
BETA_MODES = [
    (3.0, 5.0, 2.0 / 6.0),
    (0.5, 3.0, 0.0),
    (1.0, 2.0, 0.0),  # alpha = 1 < beta
    (0.5, 1.0, 0.0),  # alpha < 1 = beta: J-shaped, falls from 0
    (4.0, 0.8, 1.0),
    (2.0, 1.0, 1.0),  # beta = 1 < alpha
    (1.0, 0.5, 1.0),  # alpha = 1 > beta: J-shaped, rises to 1
    (0.5, 0.25, 0.5 / 0.75),  # U-shaped: the mean
    (1.0, 1.0, 0.5),  # flat: the mean
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_beta_mode_rule_in_each_range_and_on_its_boundaries(dtype):
    a, b, expected = (torch.tensor(column, dtype=dtype) for column in zip(*BETA_MODES, strict=True))
    outputs = torch.stack([a.log(), b.log()], dim=1)  # exp link: log 1 = 0 gives exactly 1
    mode = lr.Beta(link="exp").predict(outputs)
    assert mode.dtype == dtype
    torch.testing.assert_close(mode, expected)


def test_beta_mode_on_the_boundaries_is_the_densest_point():
    # Where the density is monotone (a boundary line included) its highest value on a
    # grid over (0, 1) lies at the grid's end that predict names.
    rows = [(a, b, m) for a, b, m in BETA_MODES if m in (0.0, 1.0)]
    a, b, mode = (torch.tensor(column, dtype=torch.float64) for column in zip(*rows, strict=True))
    r = lr.Beta(link="exp")
    outputs = torch.stack([a.log(), b.log()], dim=1)
    grid = torch.linspace(1e-6, 1 - 1e-6, 10001, dtype=torch.float64)
    densest = grid[r.distribution(outputs).log_prob(grid.unsqueeze(1)).argmax(dim=0)]
    torch.testing.assert_close(r.predict(outputs), densest, atol=2e-6, rtol=0)
    assert torch.equal(r.predict(outputs), mode)


def test_beta_flat_and_u_shaped_densities_have_no_single_peak():
    r = lr.Beta(link="exp")
    grid = torch.linspace(0.01, 0.99, 99, dtype=torch.float64).unsqueeze(1)
    flat = r.distribution(torch.zeros(1, 2, dtype=torch.float64)).log_prob(grid)
    assert float(flat.abs().max()) < 1e-12  # every point is a mode, the mean among them
    u_shape = torch.tensor([[0.5, 0.25]], dtype=torch.float64).log()
    values = r.distribution(u_shape).log_prob(grid)[:, 0]
    assert float(values.argmin()) not in (0.0, 98.0)  # lowest inside, higher at both ends


def test_beta_interior_mode_beats_a_grid():
    a = torch.tensor([3.0, 1.5], dtype=torch.float64)
    b = torch.tensor([5.0, 1.2], dtype=torch.float64)
    outputs = torch.stack([a.log(), b.log()], dim=1)
    r = lr.Beta(link="exp")
    mode = r.predict(outputs)
    grid = torch.linspace(1e-4, 1 - 1e-4, 9999, dtype=torch.float64).unsqueeze(1)
    dist = r.distribution(outputs)
    assert bool((dist.log_prob(mode) >= dist.log_prob(grid).amax(0) - 1e-12).all())


def test_beta_params_keys():
    r = lr.Beta()
    assert list(r.params(torch.zeros(3, 2))) == ["concentration1", "concentration0"]
    assert r.layout == (("raw_concentration1", 1), ("raw_concentration0", 1))


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_beta_target_outside_the_open_interval(bad):
    with pytest.raises(ValueError, match=r"y: .*open interval \(0, 1\)|y: expected finite"):
        lr.Beta().nll(torch.zeros(2, 2), torch.tensor([0.5, bad]))


def test_beta_wrong_number_of_outputs():
    with pytest.raises(ValueError, match="outputs"):
        lr.Beta().nll(torch.zeros(2, 1), torch.full((2,), 0.5))


def test_beta_column_target():
    with pytest.raises(ValueError, match="y"):
        lr.Beta().nll(torch.zeros(2, 2), torch.full((2, 1), 0.5))
