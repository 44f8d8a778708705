"""`make bench`: the project's benchmarks, each reported as median and p95 with a ratio
against a baseline measured in the same run."""
