/**
 * The Node options that run a package's TypeScript source as a process (`node ...FROM_SOURCE bin.ts`):
 * tsx compiles it, and the "posdiag-source" condition resolves the workspace packages it imports
 * (posdiag-protocol, posdiag-hub) to their source too, as the tests themselves do (vitest.config.ts).
 * Here, outside both packages, so the agent's and the hub's tests spawn their programs alike.
 */
export const FROM_SOURCE = ['--import', 'tsx', '--conditions=posdiag-source'] as const;
