"""assist — local, offline agent-assist for phone support."""

__version__ = "0.1.0"
