"""Routes of the service itself (health, metadata); modules bring their own routers."""
