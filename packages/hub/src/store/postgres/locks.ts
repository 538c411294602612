/**
 * The hub's advisory locks, in the two-key form under one class of its own; the per-terminal locks of
 * a batch use the one-key form, which PostgreSQL keeps apart from these.
 */
export const LOCK_CLASS = 0x50445347; // "PDSG"
export const LOCKS = { migrate: 1, partitions: 2, silence: 3, retention: 4 } as const;
