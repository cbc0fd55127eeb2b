#!/usr/bin/env bash
# The job benchmark of issue 3 ((a) submit throughput, (b) end-to-end
# throughput vs fork/exec/wait, (c) dispatch latency, (d) memory per queued
# job) against a fresh `barge dev`:
#   bench/run_jobs_bench.sh [--vcpus N] [jobs_bench flags...]
exec "$(dirname "$0")/run_dev_bench.sh" jobs_bench "$@"
