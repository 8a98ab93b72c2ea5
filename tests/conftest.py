"""Test-wide settings."""

from hypothesis import settings

# These machines are shared and noisy: a property test's speed is not what it checks.
settings.register_profile("derisk", deadline=None)
settings.load_profile("derisk")
