"""Pure functions from a matched span (and a reference date) to normalized values."""
