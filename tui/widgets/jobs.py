"""Background jobs (Textual workers) and the one path their failures take.

Every worker of the app is declared with :func:`job` (a method) or :func:`declare` +
:func:`run_job` (a coroutine), which names what it does ("Reading the sender emails") and what
happens after a failure ("Press r to read them again."). Workers never stop the app
(``exit_on_error=False``); when one fails, :func:`report_failure`:

1. logs the traceback to the log file (scrubbed of secrets by the log filter);
2. lets the widget that ran it make itself usable again (:meth:`Recovers.recover`: busy flags
   reset, a status line that says so, a retry scheduled or offered), which may also say what
   happens next instead of the job's default;
3. shows one line: what failed, why, and what happens next. An unexpected exception is called
   what it is (a bug, with its type), never a network problem; a Wix error gets Wix's words.

Textual's worker state messages do not bubble, so every node that runs jobs mixes in
:class:`RunsJobs`, whose handler sends failures here. ``tests/ui/test_worker_failures.py`` makes
every declared job fail and checks the line, the log and the widget.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from textual import work
from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from tui.store.logs import REDACTOR
from tui.wix.errors import WixError

log = logging.getLogger("tui.jobs")

F = TypeVar("F", bound=Callable[..., Any])
MAX_CAUSE = 160  # characters of an exception's text on screen (the log has all of it)


@dataclass(frozen=True)
class Job:
    name: str  # unique: the method's qualified name, e.g. "SendersPane._load"
    group: str  # Textual's worker group (exclusive jobs cancel the group's older worker)
    what: str  # what it does, to say "<what> failed": "Reading the sender emails"
    then: str  # what happens next after a failure, unless the widget says otherwise


JOBS: dict[str, Job] = {}


def declare(name: str, group: str, what: str, then: str) -> Job:
    if name in JOBS:
        raise ValueError(f"two jobs named {name}")
    JOBS[name] = Job(name, group, what, then)
    return JOBS[name]


def job(
    group: str, what: str, then: str, *, thread: bool = False, exclusive: bool = True
) -> Callable[[F], F]:
    """``@work`` for the app: a named, declared worker that never stops the app."""

    def decorate(method: F) -> F:
        declared = declare(method.__qualname__, group, what, then)
        # Typed as the method itself: callers use it so (Textual's wrapper returns the Worker).
        return work(  # type: ignore[return-value]
            method,
            name=declared.name,
            group=group,
            exclusive=exclusive,
            thread=thread,
            exit_on_error=False,
        )

    return decorate


def run_job(node: DOMNode, awaitable: Awaitable[Any], declared: Job) -> Worker[Any]:
    """Run a coroutine (``prober.aclose()``, say) as the declared job."""
    return node.run_worker(awaitable, name=declared.name, group=declared.group, exit_on_error=False)


@runtime_checkable
class Recovers(Protocol):
    def recover(self, job: Job, error: BaseException) -> str | None:
        """Make the widget usable again after ``job`` failed (busy flags, status lines,
        retries). Return what happens next when it is not ``job.then``, else None."""
        ...


def cause(error: BaseException) -> str:
    """Why, in a few words: Wix's own words for a Wix error; anything else is a bug."""
    if isinstance(error, WixError):
        return error.user_message().rstrip(".")
    text = REDACTOR.scrub(" ".join(str(error).split()))
    if len(text) > MAX_CAUSE:
        text = text[: MAX_CAUSE - 1] + "…"
    named = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return f"an unexpected error, a bug in wix-sending ({named})"


def failure_line(job: Job, error: BaseException, then: str) -> str:
    parts = [f"✗ {job.what} failed: {cause(error)}.", then, "The details are in the log file."]
    return " ".join(part for part in parts if part)


def job_of(worker: Worker[Any]) -> Job:
    found = JOBS.get(worker.name)
    if found is not None:
        return found
    # Not one of ours (a Textual widget's own worker): still said, never silent.
    return Job(worker.name or "worker", worker.group, f"A background task ({worker.name})", "")


def report_failure(node: DOMNode, worker: Worker[Any]) -> str:
    """Log it, let ``node`` recover, and show one line; returns that line."""
    error = worker.error if worker.error is not None else RuntimeError("no error recorded")
    declared = job_of(worker)
    log.error(
        "%s failed (worker %s, group %s)",
        declared.what,
        declared.name,
        declared.group,
        exc_info=(type(error), error, error.__traceback__),
    )
    then = declared.then
    if isinstance(node, Recovers):
        try:
            then = node.recover(declared, error) or then
        except Exception:  # a bug while recovering must not hide the first one
            log.exception("recovering from %s failed", declared.name)
    line = failure_line(declared, error, then)
    node.app.notify(line, severity="error", timeout=15, markup=False)
    return line


async def close_at_exit(what: str, closing: Awaitable[Any]) -> None:
    """Close something while the app or a widget goes away. Nothing can be shown any more and
    a crash would be out of place, but a failure is still logged, never dropped."""
    try:
        await closing
    except Exception:
        log.exception("%s failed while closing", what)


class RunsJobs:
    """Mixin for every node that runs jobs: their failures take the one path above."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and isinstance(self, DOMNode):
            report_failure(self, event.worker)
