"""Scenarios for researchers: the real workflows under simulated demand (issue 19, in progress).

This first part is the queueing kernel the scenarios will be built on, and the
analytic results it is checked against:

* :mod:`ssp_core.simulation.analytic`: the stationary distribution of a birth-death
  queue (M/M/c, with a capacity K and with abandonment), and the closed forms of
  Erlang B and Erlang C it must agree with;
* :mod:`ssp_core.simulation.station`: one station (servers, a waiting room, impatient
  callers) simulated with SimPy on a virtual clock, with one random stream per source
  so that compared arms share their random numbers.

Nothing here concerns a person: a simulated caller is a number in a queue.
Needs the ``simulation`` extra (SimPy).
"""
