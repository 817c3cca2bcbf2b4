"""The exception tree of agentops-index.

Third-party data never raises: problems in what strangers publish become findings.
Exceptions are for our own inputs (paths, config) and are turned into exit codes in
``cli.py`` only::

    AgentopsError              exit 1
     +-- InputError            a path or file given on the command line cannot be used
     +-- ConfigError           our own settings are wrong
     +-- BuildError            the site cannot be built: a page's template fails (named with
     |    |                    the page), or two outputs claim one path
     |    +-- DuplicatePath    (render/writer.py)
     +-- AuthError             GitHub refused the credentials (sources/github.py)
"""

from __future__ import annotations


class AgentopsError(Exception):
    """Base of every error agentops-index raises on purpose."""


class InputError(AgentopsError):
    """A path or file named by the user cannot be used."""


class ConfigError(AgentopsError):
    """A setting of ours is invalid."""


class BuildError(AgentopsError):
    """The site cannot be built; the message names the page (and its template) or the path."""
