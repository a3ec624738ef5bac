// Types of build.mjs (plain JavaScript, so apps/server/scripts/start.mjs can run it without tsx).
export function isConsoleFresh(root: string): Promise<boolean>;
export function buildConsole(root: string): Promise<void>;
export function ensureConsoleBuilt(root: string): Promise<void>;
