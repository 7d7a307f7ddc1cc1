"""Demo data for `manage.py seed_demo`: each app's part, loaded through its services.

Every step is idempotent: it creates only what is missing.
"""


def seed() -> list[str]:
    """Load the demo shop; returns lines to print."""
    return []
