"""Benchmarks: one script per published figure; each prints one JSON object with --json."""
