// Child processes of Seam's own programs (import from '@seam/platform/processes'):
// one server or gateway process, or a whole topology on this machine. Used by
// `npm run start:split`, the end-to-end suite, the crash tests and the benchmarks.
export * from './process.js';
export * from './split.js';
export * from './topology-run.js';
export { seedPgliteFolders } from '../pglite-template.js';
