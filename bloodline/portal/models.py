"""The portal's tables, one module per part (decision 0055)."""

from __future__ import annotations

from bloodline.portal.account_models import (  # noqa: F401
    Attempt,
    ErasureRequest,
    OneTimeCode,
    ResultRelease,
    SignInAddress,
)
