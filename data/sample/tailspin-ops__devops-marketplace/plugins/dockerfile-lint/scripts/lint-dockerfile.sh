#!/bin/sh
# Run hadolint on Dockerfiles touched by the last edit, if hadolint is installed.
command -v hadolint >/dev/null || exit 0
for f in $(git diff --name-only | grep -i dockerfile); do hadolint "$f" >&2; done
exit 0
