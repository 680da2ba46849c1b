"""The background worker: claims due jobs from the database and runs them (each kind an app
registered, e.g. the expiry sweep every quarter of an hour), and runs the tasks people started
(a registration workbook, a label sheet; decision 0044), looking for new ones every second.
Run one or several; stop with Ctrl-C."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bloodline.jobs import queue as jobs
from bloodline.jobs import tasks


class Command(BaseCommand):
    help = (
        "Run background jobs (e.g. the expiry sweep) and the tasks people started. "
        "--once runs what is due and waiting, then exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the due jobs, then exit")
        parser.add_argument(
            "--sleep", type=float, default=30.0, help="seconds between looks for due jobs"
        )
        parser.add_argument(
            "--task-sleep", type=float, default=1.0, help="seconds between looks for new tasks"
        )
        parser.add_argument("--name", default="", help="this worker's name in the job table")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = options["name"] or f"{socket.gethostname()}:{os.getpid()}"
        next_jobs = 0.0
        try:
            while True:
                if time.monotonic() >= next_jobs:
                    for job in jobs.run_due(worker):
                        self.stdout.write(f"{job.kind} #{job.pk}: {job.result}")
                    next_jobs = time.monotonic() + options["sleep"]
                while (task := tasks.run_next(worker)) is not None:
                    # The task's id and outcome only: its parameters may name people.
                    self.stdout.write(f"task {task.kind} {task.uuid}: {task.status}")
                if options["once"]:
                    return
                time.sleep(options["task_sleep"])
        except KeyboardInterrupt:
            self.stdout.write("Worker stopped.")
