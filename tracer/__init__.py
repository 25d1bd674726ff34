"""osflow: how OpenStack really works, derived from its source without running it."""

__version__ = "0.1.0"

# The release used when no -s/--source is given.
PINNED_RELEASE = "34.0.0"
