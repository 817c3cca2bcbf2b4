"""agentops-index: a build-time index of Claude Code plugin marketplaces."""

__version__ = "0.1.0"
