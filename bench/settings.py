"""Settings for `make bench` only: the project's settings plus the benchmark's own
same-run-limit endpoints (bench/urls.py). Production never loads this module (decision 0040)."""

from __future__ import annotations

from bloodline.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Cold runs restart PostgreSQL under the running server: a worker checks its kept connection
# before reusing it instead of failing on the first request after the restart.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
