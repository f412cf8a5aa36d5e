import math

import sympy as sp

from lossrecipe.symbolic import normal_pdf


def test_normal_pdf_integrates_to_one_and_has_the_given_moments():
    y, mu = sp.symbols("y mu", real=True)
    variance = sp.symbols("v", positive=True)
    pdf = normal_pdf(y, mu, variance)
    assert sp.simplify(sp.integrate(pdf, (y, -sp.oo, sp.oo)) - 1) == 0
    assert sp.simplify(sp.integrate(y * pdf, (y, -sp.oo, sp.oo)) - mu) == 0
    second = sp.integrate((y - mu) ** 2 * pdf, (y, -sp.oo, sp.oo))
    assert sp.simplify(second - variance) == 0


def test_normal_pdf_takes_the_variance_not_the_standard_deviation():
    value = float(normal_pdf(sp.Integer(0), sp.Integer(0), sp.Rational(1, 2)))
    assert math.isclose(value, 1 / math.sqrt(2 * math.pi * 0.5), rel_tol=1e-15)
