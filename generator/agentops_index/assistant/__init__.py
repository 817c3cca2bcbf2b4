"""The assistant: the answers of the Claude commands (prime, discover, orchestrate, analyze) and
how they are presented, on the command line and in the agentops plugins' python3-only reader.

It owns ``answer`` (the commands' answers and their argument parsing), ``answer_source`` (where
the reader finds a catalog and caches it), ``assist`` (plans, comparisons and the published
assistant file), ``discover``, ``prime``, ``present`` (fenced JSON and text) and
``reader_copy`` (writes the reader's standard-library copy into plugins/*/bin/). It may import
every other part of the package; nothing in the pipeline or the bundles imports it
(tests/test_layers.py).
"""
