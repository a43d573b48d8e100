"""dask.distributed as an executor: the same replications, bit for bit, as in this process.

``client.get_executor()`` is a :class:`concurrent.futures.Executor` over a dask cluster;
the runner submits one replication per task to it and orders what comes back. Two
worker processes of one thread each stand in for a cluster.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ssp_core.simulation.runner import Auto, run, run_auto
from ssp_core.simulation.station import Station, StationModel

distributed = pytest.importorskip("distributed")

# dask warns when its scratch directory takes over a second to make (a busy machine);
# the cluster's own directory is in pytest's temporary folder, shared with no one
pytestmark = pytest.mark.filterwarnings(
    "ignore:Creating scratch directories is taking a surprisingly long time:UserWarning"
)


@pytest.fixture(name="client", scope="module")
def _client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[distributed.Client]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            host="127.0.0.1",
            local_directory=str(tmp_path_factory.mktemp("dask")),
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(name="model")
def _model() -> StationModel:
    return StationModel(
        stations=(
            ("two servers", Station(arrival_rate=1.5, service_rate=1.0, servers=2)),
            ("three servers", Station(arrival_rate=1.5, service_rate=1.0, servers=3)),
        ),
        horizon=400.0,
        warmup=40.0,
        seed=2026,
    )


def test_a_dask_cluster_gives_the_same_results_as_this_process(
    client: distributed.Client, model: StationModel
) -> None:
    alone = run(model, 6, workers=1)
    done: list[tuple[int, int]] = []
    executor = client.get_executor()
    assert run(model, 6, executor=executor, progress=lambda d, t: done.append((d, t))) == alone
    assert done[-1] == (12, 12)
    # the tasks run in the cluster's worker processes, not here
    assert executor.submit(os.getpid).result() != os.getpid()


def test_auto_decides_the_same_on_a_dask_cluster(
    client: distributed.Client, model: StationModel
) -> None:
    rule = Auto(precision=0.1, measures=(("in_system", ""), ("mean_wait", "")))
    alone = run_auto(model, rule, workers=1)
    clustered = run_auto(model, rule, executor=client.get_executor(), workers=2)
    assert alone.reached
    assert clustered.needed == alone.needed
    assert clustered.results == alone.results
    assert clustered.precision == alone.precision
