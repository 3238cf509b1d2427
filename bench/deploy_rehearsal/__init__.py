"""The deploy rehearsal of `make chaos`'s `expand_migration` scenario: a release that
adds a column to orders_order with a real Django migration, applied by the real
`manage.py migrate` while the old code serves, and removed again by migrating back
(the contract) so runs repeat. It is installed only in the chaos platform's settings
(bench/chaos_settings.py), and only once its release is on disk: the product never
carries the column."""
