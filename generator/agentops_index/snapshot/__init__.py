"""The snapshot stage: strict models, deterministic bytes, atomic files, JSON Schema."""
