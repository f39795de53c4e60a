"""Job kinds for the runner tests: a counter that reports each step and a function that
fails half-way (registered on import; the registry is per process, which is where the
thread runner and rq's SimpleWorker run them)."""
import threading

from accounts.models import Role
from jobs import job_function, progress

CLEANED = []   # job ids whose on_failure hook ran


@job_function("test.count", roles=(Role.EXAM_ADMIN,), title="Count")
def count(job_id, n, step=1):
    total = 0
    progress(job_id, 0, n, force=True)
    for i in range(1, n + 1):
        total += i * step
        progress(job_id, i, n)
    return {"sum": total}


def _cleanup(job):
    CLEANED.append(job.id)


@job_function("test.boom", roles=(Role.EXAM_ADMIN,), title="Boom", on_failure=_cleanup)
def boom(job_id, at):
    progress(job_id, 0, 4, force=True)
    for i in range(1, 5):
        if i == at:
            raise ValueError(f"boom at {i}")
        progress(job_id, i, 4, force=True)
    return {}


GATE = threading.Event()   # test.gated waits here after its first step


@job_function("test.gated", roles=(Role.EXAM_ADMIN,), title="Gated")
def gated(job_id):
    progress(job_id, 0, 3, force=True)
    progress(job_id, 1, 3, force=True)
    GATE.wait(20)
    progress(job_id, 2, 3, force=True)
    progress(job_id, 3, 3, force=True)
    return {}
