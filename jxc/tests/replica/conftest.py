"""The replica tests run on a database that exists already, streamed to a real
replica (.ci/replica), not on a test database pytest-django would create: a
standby cannot create one, and it replays only what the primary commits.

Run them alone, with both URLs naming the same database (CI does):

    DATABASE_URL=postgres://…:5432/jxc_replica_primary \\
    DATABASE_REPLICA_URL=postgres://…:5433/jxc_replica_primary \\
    pytest jxc/tests/replica

Never run the rest of the suite with DATABASE_REPLICA_URL set: its test database
is not the one the replica streams.
"""

import pytest


@pytest.fixture(scope="session")
def django_db_setup():
    """Use the configured, migrated database as it is."""
