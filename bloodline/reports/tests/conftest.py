"""The plan fixtures of the programmes tests, shared by the progress tests moved here."""

from __future__ import annotations

from bloodline.programmes.tests.conftest import amounts, chair, communes, plan

__all__ = ["amounts", "chair", "communes", "plan"]
