import pytest

from tests.evaluation.world import evaluation_world


@pytest.fixture
def world(tree):
    return evaluation_world(tree)


@pytest.fixture
def office_client(client, world):
    client.force_login(world.office)
    return client
