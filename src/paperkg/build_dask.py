"""Builds on a Dask cluster (``build --scheduler tcp://HOST:PORT``, the ``paperkg[dask]`` extra).

The cluster's workers extract and map records, as the local pool's processes do, and send the
quads back; this process stays the one writer, in read order, so the store is the one a local
build makes. Dask reschedules the tasks of a worker that dies; a batch it gives up on comes back
as one rejection per record, never lost in silence.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from .build_pool import Failed, Shipped, failure, ship
from .errors import ConfigError
from .extraction import Extractor
from .model import PaperRecord

if TYPE_CHECKING:
    from .build_pieces import PieceJob, Pieces

__all__ = ["DaskPool"]


class DaskPool:
    """The :class:`~paperkg.build_pool.RecordPool` interface over a Dask cluster."""

    def __init__(self, scheduler: str, extractor: Extractor, identity: str, base_iri: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError(
                "--scheduler",
                "building on Dask needs the dask and distributed packages, not installed",
                "pip install 'paperkg[dask]'",
            ) from None
        try:
            self._client = Client(scheduler, timeout="30s", set_as_default=False)
        except OSError as error:
            raise ConfigError(
                "--scheduler",
                f"no Dask scheduler answers at {scheduler} ({error})",
                "start one (dask scheduler) or check the address",
            ) from error
        self._settings = (extractor, identity, base_iri)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def ready(self) -> bool:
        """The cluster takes work at once."""
        return True

    def submit(self, records: list[PaperRecord]) -> Future[list[Shipped | Failed]]:
        """Send a batch to the cluster; its results come back in the batch's order, and a batch
        the cluster gave up on (its workers died again and again) as one rejection per record.
        """
        outcome: Future[list[Shipped | Failed]] = Future()
        sources = [record.source for record in records]

        def settle(done: Any) -> None:
            try:
                outcome.set_result(done.result())
            except Exception as error:  # noqa: BLE001 - reported per record, the others go on
                reason = f"the Dask cluster could not extract it ({type(error).__name__}: {error})"
                outcome.set_result([_as_failed(failure(source, reason)) for source in sources])

        self._client.submit(ship, records, *self._settings, pure=False).add_done_callback(settle)
        return outcome

    def submit_pieces(self, records: list[PaperRecord], job: PieceJob) -> Future[Pieces]:
        """Send a batch whose graphs the worker writes into shard pieces in ``job.folder`` (a
        folder the workers share with this process); a batch the cluster gave up on comes back
        as one rejection per record, its pieces removed.
        """
        from .build_pieces import Pieces, drop_pieces, write_pieces

        outcome: Future[Pieces] = Future()
        sources = [record.source for record in records]

        def settle(done: Any) -> None:
            try:
                outcome.set_result(done.result())
            except Exception as error:  # noqa: BLE001 - reported per record, the others go on
                drop_pieces(job)
                reason = f"the Dask cluster could not extract it ({type(error).__name__}: {error})"
                failed = [_as_failed(failure(source, reason)) for source in sources]
                outcome.set_result(Pieces(list(failed), [], 0))

        task = self._client.submit(write_pieces, records, *self._settings, job, pure=False)
        task.add_done_callback(settle)
        return outcome

    def restart(self) -> None:
        """Nothing to restart: the scheduler replaces lost workers and retries their tasks."""

    def close(self) -> None:
        """Cancel what is still queued and disconnect (the cluster keeps running)."""
        self._client.close()


def _as_failed(error: Any) -> Failed:
    return Failed(error.path, error.line, error.field, error.problem, error.fix)
