"""The background worker: claims due jobs from the database and runs them (each kind an app
registered, e.g. the expiry sweep every quarter of an hour). Run one or several; stop with
Ctrl-C."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bloodline.jobs import queue as jobs


class Command(BaseCommand):
    help = "Run background jobs (e.g. the expiry sweep). --once runs what is due and exits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the due jobs, then exit")
        parser.add_argument(
            "--sleep", type=float, default=30.0, help="seconds between looks for due jobs"
        )
        parser.add_argument("--name", default="", help="this worker's name in the job table")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = options["name"] or f"{socket.gethostname()}:{os.getpid()}"
        try:
            while True:
                for job in jobs.run_due(worker):
                    self.stdout.write(f"{job.kind} #{job.pk}: {job.result}")
                if options["once"]:
                    return
                time.sleep(options["sleep"])
        except KeyboardInterrupt:
            self.stdout.write("Worker stopped.")
