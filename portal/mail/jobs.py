"""Periodic work that features give the mail worker (event reminders, say): each job does
what is due and says how much it did; the worker runs every job on each round."""

from collections.abc import Callable

JOBS: list[Callable[[], int]] = []


def register_job(job: Callable[[], int]) -> Callable[[], int]:
    if job not in JOBS:
        JOBS.append(job)
    return job


def run_jobs() -> int:
    return sum(job() for job in JOBS)
