"""Connections of a PostgreSQL store: session settings, pipelines, transactions, the DSN shown.

Statements sent together go in one pipeline (one round trip) where the libpq
supports it; a DSN is shown without its password, and the password is kept out
of error messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus
from psycopg.rows import TupleRow

from ssp_core.store.url import redact

__all__ = [
    "configure",
    "display_url",
    "dsn_secrets",
    "end_transaction",
    "pipeline",
    "run",
    "transact",
]


_PIPELINE = psycopg.Pipeline.is_supported()


@contextmanager
def pipeline(conn: psycopg.Connection[TupleRow]) -> Iterator[None]:
    """Send the statements of the block in one pipeline; raise its first error at the end.

    A statement that fails makes the server skip the rest; the error is raised when
    the pipeline has been synced (the block stops at the first error psycopg reports),
    so the statements skipped are not reported besides it. Without pipeline support in
    the libpq, the statements run one after the other.
    """
    if not _PIPELINE:
        yield
        return
    failed: psycopg.Error | None = None
    try:
        with conn.pipeline():
            try:
                yield
            except psycopg.Error as exc:
                failed = exc
    except psycopg.Error as exc:
        failed = failed or exc
    if failed is not None:
        raise failed


def display_url(dsn: str) -> str:
    """Return a password-free URL naming the server of ``dsn`` (a URL or key=value string)."""
    if "://" in dsn:
        return redact(dsn)
    try:
        info = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "postgresql://"
    user = f"{info['user']}@" if info.get("user") else ""
    host = str(info.get("host") or "")
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname') or ''}"


def dsn_secrets(dsn: str) -> set[str]:
    """Return the password of ``dsn`` in the forms it may appear in an error message."""
    found: set[str] = set()
    try:
        password = urlsplit(dsn).password if "://" in dsn else None
    except ValueError:
        password = None
    if password:
        found.update({password, unquote(password)})
    try:
        value = conninfo_to_dict(dsn).get("password")
    except psycopg.Error:
        value = None
    if value:
        found.add(str(value))
    return found


def configure(connection: psycopg.Connection[TupleRow]) -> None:
    """Set up a new connection: UTC, and ``READ COMMITTED`` transactions."""
    connection.execute("SET TimeZone TO 'UTC'")
    # What runs after the writers' lock must see every commit made before it: in
    # READ COMMITTED each query of ssp_append_event takes a new snapshot, in a
    # stricter level it would keep the one its statement began with, before the lock.
    connection.execute("SET default_transaction_isolation TO 'read committed'")


def run(
    conn: psycopg.Connection[TupleRow], statements: Sequence[tuple[str, list[Any]]]
) -> TupleRow | None:
    """Run statements as one transaction; return the first row of the first one.

    One statement is a transaction of its own (the connection is in autocommit
    mode); several are sent in one pipeline, in an explicit transaction.
    """
    with psycopg.RawCursor(conn) as cur:
        if len(statements) == 1:
            return cur.execute(*statements[0]).fetchone()
        with conn.transaction(), psycopg.RawCursor(conn) as more, pipeline(conn):
            cur.execute(*statements[0])
            for statement in statements[1:]:
                more.execute(*statement)
        return cur.fetchone()


def end_transaction(conn: psycopg.Connection[TupleRow]) -> None:
    """Roll back a transaction a failed write left open, if any."""
    if conn.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
        conn.rollback()


def transact(
    conn: psycopg.Connection[TupleRow], statements: Sequence[tuple[str, list[Any]]]
) -> None:
    """Run statements (``$n`` parameters) in one transaction and one pipeline."""
    with conn.transaction(), psycopg.RawCursor(conn) as cur, pipeline(conn):
        for statement in statements:
            cur.execute(*statement)
