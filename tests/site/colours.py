"""WCAG 2.1's relative luminance and contrast ratio, for colours the browser reports."""

from __future__ import annotations

import numpy as np


def luminance(rgb) -> np.ndarray:
    """WCAG relative luminance of sRGB values in 0..255 (last axis: R, G, B)."""
    c = np.asarray(rgb, dtype=float)[..., :3] / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a: float, b: float) -> float:
    """The contrast ratio of two luminances, 1 (none) to 21 (black on white)."""
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)
