"""The registry of job functions, keyed by kind (CTFd's ``FLAG_CLASSES`` pattern).

A job function takes ``(job_id, **params)`` — params are the JSON the job was queued with —
reports progress with :func:`jobs.services.progress` and returns a JSON-able dict, the
job's ``result``.  It runs the same way in every mode (in the request for ``sync``, in a
worker thread, in an RQ worker), always inside an app context with its own session.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

_KINDS: dict[str, "Kind"] = {}


@dataclass(frozen=True)
class Kind:
    """What the runner and the progress page need to know about one kind of job.

    ``roles``: holders of these roles at the job's agency or above see the job (its creator
    always does); ``title``: a lazy string; ``result_url(job)``: where the result is shown
    (also the way back when the job failed); ``summary(job)``: one line for a finished job;
    ``on_failure(job)``: puts the feature's own rows back in a state from which the work can
    be started again (called in the failing job's cleanup transaction); ``expected``:
    exception types whose message is meant for the user (a refused rating run), shown as
    is rather than as an internal error.
    """

    name: str
    fn: Callable
    roles: tuple
    title: object
    result_url: Callable | None = None
    summary: Callable | None = None
    on_failure: Callable | None = None
    expected: tuple = ()


def job_function(name: str, *, roles, title, result_url=None, summary=None, on_failure=None, expected=()):
    """Register the decorated function as the job kind ``name`` (a later registration wins)."""
    def decorator(fn):
        _KINDS[name] = Kind(name, fn, tuple(roles), title, result_url, summary, on_failure, tuple(expected))
        return fn
    return decorator


def get(name: str) -> Kind:
    """The kind ``name``; KeyError for a kind nobody registered."""
    _load()
    return _KINDS[name]


def names() -> list[str]:
    _load()
    return sorted(_KINDS)


def _load() -> None:
    import jobs.kinds  # noqa: F401  (registers the application's kinds on first use)
