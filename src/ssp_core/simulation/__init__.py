"""Scenarios for researchers: the real workflows under simulated demand, staff and decisions.

* :mod:`~ssp_core.simulation.scenario`: a scenario as data (TOML or attrs), its arms
  and sweeps; :mod:`~ssp_core.simulation.plan` checks it against the registry;
* :mod:`~ssp_core.simulation.engine`: one replication, the plugins' own workflow
  engines driven through SimPy on a virtual clock (:mod:`~ssp_core.simulation.timeline`
  for the simulated days, :mod:`~ssp_core.simulation.streams` for random numbers);
* :mod:`~ssp_core.simulation.runner`: replications on any executor, a fixed number or
  to a precision; :mod:`~ssp_core.simulation.results` is the seam they pass through;
* :mod:`~ssp_core.simulation.statistics`, :mod:`~ssp_core.simulation.tables`,
  :mod:`~ssp_core.simulation.plots`, :mod:`~ssp_core.simulation.report`: intervals,
  paired differences, tidy tables, plots and the STRESS-DES report;
  :mod:`~ssp_core.simulation.experiment` ties them together for ``ssp simulate``;
* :mod:`~ssp_core.simulation.fit`: decision shares fitted from a store's suppressed counts;
* :mod:`~ssp_core.simulation.station` and :mod:`~ssp_core.simulation.analytic`: the
  queueing kernel and the queueing theory it is checked against.

Nothing here scores a person: a simulated case is a number and an age, decisions
are aggregate shares, and every measure is counted over all cases. Needs the
``simulation`` extra (SimPy, SciPy).
"""
