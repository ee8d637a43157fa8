"""Demo tooling: a realistic trust's members and nominations in bulk, for trying
Everyseat and for the benchmarks."""
