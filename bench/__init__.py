"""The benchmark harness (`make bench`): see bench/README.md. Never installed in the app."""
