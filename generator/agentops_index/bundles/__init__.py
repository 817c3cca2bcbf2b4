"""Workflow bundles: the templates (``workflows``), filling their stages from the search
(``fill``), the installable marketplace and plugins made from them (``plugins``), and the
patterns learned from the runs people record (``learning``, ``patterns``).

It may import the pipeline (config, metrics, search, snapshot); it never imports the assistant,
and the pipeline never imports it (tests/test_layers.py). The site's build publishes what it
makes.
"""
