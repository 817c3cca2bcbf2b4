"""The render stage: Jinja environment, typed page contexts, safe URLs and markdown, the writer."""
