"""Symbolic densities shared by the chapters' SymPy checks.

Every chapter that checks algebra about the Gaussian uses this one definition, so the
book has a single symbolic density, parameterised as the book writes it: by its mean and
its **variance**, ``Norm_y[mu, sigma^2]``.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["normal_pdf"]


def normal_pdf(y: sp.Expr, mean: sp.Expr, variance: sp.Expr) -> sp.Expr:
    """``Norm_y[mu, sigma^2] = exp[-(y - mu)^2 / (2 sigma^2)] / sqrt[2 pi sigma^2]``.

    ``variance`` is ``sigma^2``, not the standard deviation.
    """
    return sp.exp(-((y - mean) ** 2) / (2 * variance)) / sp.sqrt(2 * sp.pi * variance)
