"""Benchmarks: each measures the kit against a baseline run in the same process on the same machine, and reports
the ratio (machines here are shared and noisy, so absolute times mean little). Results go to bench/results/."""
