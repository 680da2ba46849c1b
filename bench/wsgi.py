"""WSGI entry point for the benchmark server (gunicorn bench.wsgi:application).

With ``BENCH_PROFILE=<file>`` each worker profiles every request it serves (cProfile) and
writes the accumulated statistics to ``<file>.<pid>`` every few requests, so the profile of a
worker survives however the server is stopped (B1's "what bounds it", decision 0042)."""

from __future__ import annotations

import atexit
import cProfile
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django_application = get_wsgi_application()
PROFILE = os.environ.get("BENCH_PROFILE", "")
DUMP_EVERY = 20  # requests between two dumps of a worker's statistics


class Profiled:
    """The Django application, each request run under one cProfile profiler per worker."""

    def __init__(self, app: Callable[..., Iterable[bytes]], target: str) -> None:
        self.app, self.target = app, target
        self.profiler: cProfile.Profile | None = None
        self.served = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.profiler is None:  # created in the worker, after gunicorn forked it
            self.profiler = cProfile.Profile()
            atexit.register(self.dump)
        self.profiler.enable()
        result = self.app(environ, start_response)
        try:
            return list(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:  # Django's request_finished: connections handled as usual
                close()
            self.profiler.disable()
            self.served += 1
            if self.served % DUMP_EVERY == 0:
                self.dump()

    def dump(self) -> None:
        if self.profiler is not None:
            self.profiler.dump_stats(f"{self.target}.{os.getpid()}")


application: Any = Profiled(django_application, PROFILE) if PROFILE else django_application
