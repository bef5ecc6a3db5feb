#!/bin/sh
# The test suite in two lanes, each its own tap run with its own summary line, each running as many files at once as
# the machine has cores (tap's own default leaves one core idle):
#   - in-process: every file that builds apps over in-memory databases;
#   - processes (test/processes/): the files that start real servers and CLIs in child processes. Apart, their
#     start-ups do not compete with the CPU-bound in-process files, where a slow start could pass for a hang.
# Both lanes always run; the exit status is non-zero if either failed.
set -u
cores=$(node -p 'require("node:os").availableParallelism()')
tap --jobs="$cores" --exclude='test/processes/**'
in_process=$?
tap --jobs="$cores" 'test/processes/*.test.ts'
processes=$?
[ "$in_process" -eq 0 ] && [ "$processes" -eq 0 ]
