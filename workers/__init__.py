"""RQ job functions and the worker process: thin wrappers around review services."""
