/**
 * The system admin token of every reference server the tests and the
 * benchmarks start, so a failing test's requests can be replayed by hand.
 *
 * @module
 */

/** The `--admin-token` (or `adminToken`) of every test server. */
export const ADMIN_TOKEN = "test-admin-token-0123456789";
