"""What every domain's use cases share: the caller's scope, the audit trail, safe writes,
paging, region names and tokens. No web framework here: jobs and the CLI call the same code."""
