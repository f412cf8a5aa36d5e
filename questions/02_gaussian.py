"""Graded questions of chapter 02, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_within(within):
    import sympy as sp

    from lossrecipe.grading import check_expression
    from lossrecipe.symbolic import normal_pdf

    k = sp.Symbol("k", positive=True)
    u = sp.Symbol("u", real=True)
    truth = sp.integrate(normal_pdf(u, 0, 1), (u, -k, k))  # Norm[mu, sigma^2] in u = (y - mu)/sigma
    check_expression(
        within,
        truth,
        name="within",
        mistakes=[
            (sp.erf(k), "erf takes k / sqrt(2): the standard normal has exp[-u^2 / 2]"),
            (sp.erf(k / sp.sqrt(2)) / 2, "that is the probability of one side only"),
        ],
    )


def test_within_values(within):
    import sympy as sp
    import torch

    assert isinstance(within, sp.Expr), "`within` should be a SymPy expression in k"
    normal = torch.distributions.Normal(torch.tensor(2.0, dtype=torch.float64), 0.5**0.5)
    for value in (1, 2, 3):
        low, high = 2.0 - value * 0.5**0.5, 2.0 + value * 0.5**0.5
        ends = torch.tensor([low, high], dtype=torch.float64)
        by_cdf = float(normal.cdf(ends[1]) - normal.cdf(ends[0]))
        got = float(within.subs(sp.Symbol("k", positive=True), value))
        assert abs(got - by_cdf) < 1e-12, f"at k = {value}: {got:.6f}, the CDF gives {by_cdf:.6f}"


def test_kurtosis(laplace_kurtosis, sum_kurtosis):
    import sympy as sp

    from lossrecipe.grading import check_expression

    b = sp.Symbol("b", positive=True)
    x = sp.Symbol("x", real=True)
    laplace = sp.exp(-sp.Abs(x) / b) / (2 * b)
    m2, m4 = (2 * sp.integrate(x**n * laplace, (x, 0, sp.oo)) for n in (2, 4))
    check_expression(
        laplace_kurtosis,
        sp.simplify(m4 / m2**2),
        name="laplace_kurtosis",
        mistakes=[(3, "3 is the Gaussian's kurtosis; compute E[x^4] / E[x^2]^2 for Laplace")],
    )
    kappa = sp.Symbol("kappa", positive=True)
    e1, e2 = sp.symbols("e1 e2", real=True)
    moments = {0: 1, 1: 0, 2: 1, 3: 0, 4: kappa}  # unit variance: E[e^4] = kappa
    terms = sp.Poly(sp.expand((e1 + e2) ** 4), e1, e2).terms()
    fourth = sum(c * moments[i] * moments[j] for (i, j), c in terms)
    check_expression(
        sum_kurtosis,
        fourth / 2**2,
        name="sum_kurtosis",
        mistakes=[
            (kappa, "the sum's kurtosis changes: expand E[(e1 + e2)^4]"),
            (kappa / 2, "the cross terms 6 E[e1^2] E[e2^2] add 3/2"),
        ],
    )


def test_inflection(upper_inflection, height_ratio):
    import sympy as sp

    from lossrecipe.grading import check_expression
    from lossrecipe.symbolic import normal_pdf

    y, mu = sp.symbols("y mu", real=True)
    sigma = sp.Symbol("sigma", positive=True)
    density = normal_pdf(y, mu, sigma**2)
    roots = sp.solve(sp.simplify(sp.diff(density, y, 2) / density), y)
    upper = max(roots, key=lambda r: r.subs({mu: 0, sigma: 1}))
    check_expression(
        upper_inflection,
        upper,
        name="upper_inflection",
        mistakes=[(mu + sigma**2, "the inflection is one standard deviation, sigma, from mu")],
    )
    check_expression(
        height_ratio,
        sp.simplify(density.subs(y, upper) / density.subs(y, mu)),
        name="height_ratio",
        mistakes=[(sp.exp(-1), "exp[-(y - mu)^2 / (2 sigma^2)] at y - mu = sigma is exp[-1/2]")],
    )


def test_units(mean_cm, variance_cm, peak_ratio):
    import sympy as sp

    from lossrecipe.grading import check_expression

    c = 100  # centimetres per metre: y' = c y
    check_expression(mean_cm, 2 * c, name="mean_cm")
    check_expression(
        variance_cm,
        sp.Rational(1, 2) * c**2,
        name="variance_cm",
        mistakes=[(50, "the variance scales with the square of the unit: 100^2")],
    )
    check_expression(
        peak_ratio,
        sp.Rational(1, c),
        name="peak_ratio",
        mistakes=[(100, "the density is probability per unit: per centimetre it is smaller")],
    )


QUESTIONS = [
    Question(
        exercise="ex-02-within",
        task=r"""
**Graded question (derivation).** Enter $\int_{\mu - k\sigma}^{\mu + k\sigma}
\operatorname{Norm}_y[\mu, \sigma^2]\, dy$ as a SymPy expression `within` in the symbol `k`
of the cell. The check proves it equal to the integral and compares it with PyTorch's
normal CDF for $\operatorname{Norm}[2, 0.5]$.
""",
        answer="""
import sympy as sp

k = sp.Symbol("k", positive=True)
within = sp.erf(k / sp.sqrt(2))  # SOLUTION
""",
        tests=[test_within],
        hidden=[test_within_values],
        mistakes=[
            Mistake("within = sp.erf(k)", "erf takes k / sqrt(2)"),
            Mistake("within = sp.erf(k / sp.sqrt(2)) / 2", "one side only"),
        ],
    ),
    Question(
        exercise="ex-02-laplace",
        task=r"""
**Graded question (derivation).** Enter the kurtosis of one Laplace error,
`laplace_kurtosis` (a number), and the kurtosis of the sum of two independent errors that
each have zero mean, a symmetric density and kurtosis $\kappa$, `sum_kurtosis` (a SymPy
expression in `kappa`).
""",
        answer="""
import sympy as sp

kappa = sp.Symbol("kappa", positive=True)
# BEGIN SOLUTION
laplace_kurtosis = 6
sum_kurtosis = kappa / 2 + sp.Rational(3, 2)
# END SOLUTION
""",
        tests=[test_kurtosis],
        mistakes=[
            Mistake(
                "laplace_kurtosis = 3\nsum_kurtosis = kappa / 2 + 3 / 2", "Gaussian's kurtosis"
            ),
            Mistake("laplace_kurtosis = 6\nsum_kurtosis = kappa", "expand E[(e1 + e2)^4]"),
            Mistake("laplace_kurtosis = 6\nsum_kurtosis = kappa / 2", "cross terms"),
        ],
    ),
    Question(
        exercise="ex-02-inflection",
        task=r"""
**Graded question (derivation).** Enter the inflection point above the mean,
`upper_inflection`, and the density there divided by its peak, `height_ratio`, as SymPy
expressions in the symbols `mu` and `sigma` of the cell (exact, not rounded).
""",
        answer="""
import sympy as sp

mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
# BEGIN SOLUTION
upper_inflection = mu + sigma
height_ratio = sp.exp(-sp.Rational(1, 2))
# END SOLUTION
""",
        tests=[test_inflection],
        mistakes=[
            Mistake(
                "upper_inflection = mu + sigma**2\nheight_ratio = sp.exp(-sp.Rational(1, 2))",
                "one standard deviation",
            ),
            Mistake("upper_inflection = mu + sigma\nheight_ratio = sp.exp(-1)", "exp[-1/2]"),
            Mistake("upper_inflection = mu + sigma\nheight_ratio = 0.607", "not rounded"),
        ],
    ),
    Question(
        exercise="ex-02-units",
        task=r"""
**Graded question.** For $\operatorname{Norm}_y[2, 0.5]$ in metres recorded in
centimetres, enter the new mean `mean_cm`, the new variance `variance_cm` (in
$\mathrm{cm}^2$), and the height of the new peak divided by the old one, `peak_ratio`
(exact numbers).
""",
        answer="""
# BEGIN SOLUTION
mean_cm = 200
variance_cm = 5000
peak_ratio = 1 / 100
# END SOLUTION
""",
        tests=[test_units],
        mistakes=[
            Mistake("mean_cm = 200\nvariance_cm = 50\npeak_ratio = 1 / 100", "square of the unit"),
            Mistake("mean_cm = 200\nvariance_cm = 5000\npeak_ratio = 100", "probability per unit"),
        ],
    ),
]
