"""Technical infrastructure the apps share and that is not part of the kernel's domain: PDF
rendering, input normalisation and form fields for Chinese conventions, rate limits, per-process
caches of settings, and the database tricks (id-list lookups, prepared statements, the
PostgreSQL backend) described in docs/performance.md."""
