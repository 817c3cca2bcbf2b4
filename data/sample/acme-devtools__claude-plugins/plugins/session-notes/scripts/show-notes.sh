#!/bin/sh
# Print the last 20 lines of the session notes, if any.
[ -f .claude/session-notes.md ] && tail -n 20 .claude/session-notes.md
exit 0
