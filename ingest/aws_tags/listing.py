"""The Tagging API listing, each account/region read by a child process of its own.

Listing 200,000 resources is 2,000 ``GetResources`` calls at ~1.6 ms of botocore CPU each. In
the ingest's process that work held the GIL against every other source's collect (a re-ingest
with nothing changed ran on one core), and two regions read by threads of one process waited on
each other's GIL. A process per target runs on its own core (and, against real AWS, waits on
the network beside the others). The children also keep boto3 and the listed dicts out of the
ingest's process (in ``steward serve`` a long-lived writer, whose heap kept what the listing
had freed): each listing comes back as bytes (``listing_bytes``: every page packed as it is
read, its dicts dropped), which the source hashes and keeps as last good, and unpacks only when
the listings changed.

A child is a ``forkserver`` process bound to the life of its parent (``ingest.process_life``).
It gets the parent's environment as it is at the call (credentials, ``AWS_*`` settings), not
the forkserver's from when it started. Messages on its pipe, plain tuples: ``("page", items)``
per page read, then one of ``("listed", listing bytes)``, ``("failed", credentials rejected?,
message)`` or ``("crash", message)``.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from ingest.aws_tags.config import AwsTagsConfig
from ingest.aws_tags.listing_bytes import pack_page
from ingest.aws_tags.targets import CredentialsRejected, Target, TargetFailed, targets
from ingest.process_life import bind_to_parent

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerProcess

JOIN_SECONDS = 30.0
CHILD_NAME = "steward-aws-listing"


@dataclass(frozen=True)
class Listed:
    """One target's listing (``listing_bytes``: its ``ResourceTagMappingList`` items page by
    page), or why it could not be read."""

    target: Target
    blob: bytes | None
    failure: TargetFailed | None


def list_targets(config: AwsTagsConfig, on_page: Callable[[int], None]) -> list[Listed]:
    """Every target's listing, each read by a child process of its own (at most
    ``max_concurrency`` at a time); ``on_page(items)`` after each page read."""
    planned = targets(config)
    context = get_context("forkserver")
    environ = dict(os.environ)
    results: dict[int, Listed] = {}
    running: dict[Connection, tuple[int, ForkServerProcess]] = {}
    waiting = list(range(len(planned)))
    try:
        while waiting or running:
            while waiting and len(running) < config.max_concurrency:
                index = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                child = context.Process(
                    target=_child_main,
                    args=(config, index, environ, send, os.getpid()),
                    name=CHILD_NAME,
                    daemon=True,
                )
                child.start()
                send.close()  # the child holds the write end: end-of-file once it is gone
                running[receive] = (index, child)
            for ready in wait(list(running)):
                assert isinstance(ready, Connection)
                index, child = running[ready]
                target = planned[index]
                try:
                    message = ready.recv()
                except EOFError:
                    child.join(JOIN_SECONDS)
                    message = ("crash", f"it ended without an answer (exit code {child.exitcode})")
                if message[0] == "page":
                    on_page(message[1])
                    continue
                results[index] = _listed(target, message)
                del running[ready]
                ready.close()
                child.join(JOIN_SECONDS)
    finally:
        for receive, (_, child) in running.items():  # only when on_page raised
            receive.close()
            child.kill()
            child.join(JOIN_SECONDS)
    return [results[index] for index in range(len(planned))]


def _listed(target: Target, message: tuple[Any, ...]) -> Listed:
    kind = message[0]
    if kind == "listed":
        return Listed(target, message[1], None)
    if kind == "failed":
        _, rejected, text = message
        failure = CredentialsRejected(text) if rejected else TargetFailed(text)
        return Listed(target, None, failure)
    return Listed(
        target, None, TargetFailed(f"{target.label}: the AWS listing process: {message[1]}")
    )


# -- the child -------------------------------------------------------------------------------
def _child_main(
    config: AwsTagsConfig, index: int, environ: dict[str, str], conn: Connection, parent_pid: int
) -> None:
    bind_to_parent(parent_pid)
    os.environ.clear()
    os.environ.update(environ)
    try:
        message = _list_one(config, index, conn)
    except BaseException as exc:  # whatever it was, the parent must hear of it
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" ({last[0].filename}:{last[0].lineno})" if last else ""
        message = ("crash", f"{type(exc).__name__}: {exc}{where}")
    conn.send(message)
    conn.close()


def _list_one(config: AwsTagsConfig, index: int, conn: Connection) -> tuple[Any, ...]:
    from ingest.aws_tags.client import TaggingClients, pages  # boto3: only in the child

    frames: list[bytes] = []
    try:
        clients = TaggingClients(config)
        target = clients.targets()[index]
        client = clients.client(target)
        for page in pages(config, client, target):
            frames.append(pack_page(page))
            conn.send(("page", len(page)))
    except TargetFailed as exc:
        return ("failed", isinstance(exc, CredentialsRejected), str(exc))
    # marshal is ~10x faster than json or pickle; the parent hashes exactly these bytes
    return ("listed", b"".join(frames))
