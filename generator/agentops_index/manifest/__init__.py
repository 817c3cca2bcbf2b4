"""Claude Code formats: tolerant parsing, validation that mirrors ``claude plugin validate``,
and the normalizer for every third-party string."""
