"""Where marketplace manifests come from: local directories now, GitHub next."""
