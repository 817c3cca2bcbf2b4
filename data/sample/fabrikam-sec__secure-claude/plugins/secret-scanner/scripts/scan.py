#!/usr/bin/env python3
"""Read the tool call on stdin; exit 2 when it contains something that looks like a secret."""
import json, re, sys

PATTERNS = [r"ghp_[A-Za-z0-9]{36}", r"AKIA[0-9A-Z]{16}", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"]
call = json.load(sys.stdin)
text = json.dumps(call.get("tool_input", {}))
if any(re.search(p, text) for p in PATTERNS):
    print("Refusing: the tool call contains what looks like a secret.", file=sys.stderr)
    sys.exit(2)
