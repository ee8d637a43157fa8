"""Entry points and wiring: the `everyseat` CLI, the ASGI server, the composition root
that builds the services, and logging set-up."""
