"""Performance benchmarks for srcgrad (see benchmarks/README.md)."""
