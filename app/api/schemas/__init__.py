"""Pydantic models shared by the HTTP routes and the websocket: one validation, two transports."""
