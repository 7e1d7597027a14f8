"""Explanations by experiment: finite-difference errors and expression swell."""

from .fd import FDStudy, fd_study
from .swell import SwellStudy, layered, swell_study

__all__ = ["fd_study", "FDStudy", "swell_study", "SwellStudy", "layered"]
