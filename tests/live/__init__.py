"""Live end-to-end tests: the rendered stack run by the real Prometheus and Alertmanager."""
