"""Ray Serve applications: the LLM planner deployment, the symbolic planner and the HTTP ingress."""
