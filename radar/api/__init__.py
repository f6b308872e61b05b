"""The topics HTTP API (FastAPI), built by :func:`radar.api.app.create_app`."""
