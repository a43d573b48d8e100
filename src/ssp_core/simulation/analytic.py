"""Analytic results for the queues the simulation kernel is checked against.

A station with ``c`` servers, Poisson arrivals (rate ``λ``), exponential service
(rate ``μ`` per server), an optional capacity ``K`` (callers in the system, waiting
or served; an arrival that finds ``K`` is blocked) and optional exponential patience
(rate ``θ``; a waiting caller leaves when it runs out) is a birth-death process:
birth rate ``λ`` below ``K``, death rate ``μ·min(n, c) + θ·max(n - c, 0)`` in state
``n``. :func:`stationary` solves it; M/M/c is Erlang C, M/M/c/c is Erlang B, M/M/c+M
is Erlang A. :func:`erlang_b` and :func:`erlang_c` are the closed forms.

Every measure follows from the stationary distribution ``p``: ``L = Σ n·p_n``,
``L_q = Σ max(n - c, 0)·p_n``, admitted rate ``λ(1 - p_K)``, abandonment rate
``θ·L_q``, and Little's law gives the mean times (``W = L / λ_admitted``).
"""

from __future__ import annotations

import math

import attrs

__all__ = ["QueueMeasures", "erlang_b", "erlang_c", "stationary"]

_TAIL = 1e-15
"""An unbounded queue is cut where its probabilities fall below this share of the largest."""


@attrs.frozen
class QueueMeasures:
    """The long-run measures of a station, from its stationary distribution.

    :ivar arrival_rate: λ, arrivals per unit of time (blocked ones included).
    :ivar blocking: the share of arrivals that find the station full (``p_K``).
    :ivar waiting: the share of admitted callers who wait before service.
    :ivar abandonment: the share of admitted callers who leave before service.
    :ivar in_system: ``L``, the mean number in the system.
    :ivar in_queue: ``L_q``, the mean number waiting.
    :ivar sojourn: ``W``, the mean time in the system of an admitted caller.
    :ivar wait: ``W_q``, the mean time an admitted caller waits (served or not).
    """

    arrival_rate: float
    blocking: float
    waiting: float
    abandonment: float
    in_system: float
    in_queue: float
    sojourn: float
    wait: float

    @property
    def admitted_rate(self) -> float:
        """Return the rate of callers let in: ``λ(1 - blocking)``."""
        return self.arrival_rate * (1.0 - self.blocking)


def _check(arrival: float, service: float, servers: int) -> None:
    if not (arrival > 0 and service > 0 and servers >= 1):
        raise ValueError(
            f"a station needs positive rates and at least one server; got arrival "
            f"{arrival}, service {service}, servers {servers}"
        )


def stationary(
    arrival: float,
    service: float,
    servers: int,
    *,
    capacity: int | None = None,
    patience: float | None = None,
) -> QueueMeasures:
    """Return the long-run measures of a birth-death station (M/M/c[/K][+M]).

    ``capacity`` is K (at least ``servers``); ``patience`` is θ, the rate at which one
    waiting caller gives up. Without either, the station must be stable
    (``λ < c·μ``), else :class:`ValueError` says so.
    """
    _check(arrival, service, servers)
    if capacity is not None and capacity < servers:
        raise ValueError(f"capacity {capacity} is below the {servers} servers")
    if capacity is None and not patience and arrival >= servers * service:
        raise ValueError(
            f"unstable: arrivals {arrival} reach the servers' capacity {servers * service}; "
            "give a capacity or a patience"
        )
    weights = [1.0]
    n = 0
    while capacity is None or n < capacity:
        death = service * min(n + 1, servers) + (patience or 0.0) * max(n + 1 - servers, 0)
        weights.append(weights[-1] * arrival / death)
        n += 1
        if capacity is None and n > servers and weights[-1] < _TAIL * max(weights):
            break
    total = math.fsum(weights)
    p = [w / total for w in weights]
    in_system = math.fsum(k * pk for k, pk in enumerate(p))
    in_queue = math.fsum(max(k - servers, 0) * pk for k, pk in enumerate(p))
    blocking = p[-1] if capacity is not None else 0.0
    admitted = arrival * (1.0 - blocking)
    waiting_states = math.fsum(
        pk for k, pk in enumerate(p) if k >= servers and (capacity is None or k < capacity)
    )
    return QueueMeasures(
        arrival_rate=arrival,
        blocking=blocking,
        waiting=waiting_states / (1.0 - blocking),
        abandonment=(patience or 0.0) * in_queue / admitted,
        in_system=in_system,
        in_queue=in_queue,
        sojourn=in_system / admitted,
        wait=in_queue / admitted,
    )


def erlang_b(servers: int, load: float) -> float:
    """Return the blocking probability of M/M/c/c with offered load ``a = λ/μ`` (Erlang B)."""
    if servers < 1 or load <= 0:
        raise ValueError(f"Erlang B needs servers >= 1 and a positive load; got {servers}, {load}")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Return the probability that an arrival waits in M/M/c with load ``a = λ/μ`` (Erlang C)."""
    if load >= servers:
        raise ValueError(f"Erlang C needs a load below the {servers} servers; got {load}")
    blocking = erlang_b(servers, load)
    return blocking / (1.0 - (load / servers) * (1.0 - blocking))
