#!/bin/sh
# Block edits while the checked-out branch is main or master.
branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null)
case "$branch" in main|master) echo 'You are on the default branch: create a feature branch first.' >&2; exit 2;; esac
exit 0
