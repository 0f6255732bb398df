"""Services: what changes the world (writes, restarts, live checks), on top of the core."""
