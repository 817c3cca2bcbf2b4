"""Search: the Whoosh index of record, queries with facets and corrections, related plugins."""
