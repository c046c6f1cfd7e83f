"""The rewrite: resolve declared sources, render standard requirements, plan a build."""

from __future__ import annotations

from .plan import Plan, make_plan

__all__ = ["Plan", "make_plan"]
