"""The numerical core: pure NumPy, no web imports (tests/test_architecture.py checks)."""
