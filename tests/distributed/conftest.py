import pytest


def local_cluster(n_workers=2):
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=n_workers, processes=True, threads_per_worker=1,
                           host="127.0.0.1", dashboard_address=None)
    return cluster, Client(cluster)


@pytest.fixture(scope="session")
def client():
    """One real cluster of two worker processes on loopback, shared by the tests."""
    pytest.importorskip("distributed")
    cluster, client = local_cluster()
    yield client
    client.close()
    cluster.close()
