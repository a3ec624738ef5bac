// The image's build context as `docker build` sees it: the repository minus
// what `.dockerignore` leaves out, matched with Docker's own rules
// (@balena/dockerignore is a port of Docker's Go implementation).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';

/** contextFilter tells whether a repository path (`a/b.ts`, `/`-separated) is sent to the build. */
export async function contextFilter(root: string): Promise<(path: string) => boolean> {
  const rules = await readFile(join(root, '.dockerignore'), 'utf8');
  const ignore = dockerignore().add(rules.split('\n'));
  return (path) => !ignore.ignores(path);
}

/**
 * contextFiles lists every file of the build context. Folders left out are not
 * walked unless a `!` rule could bring something in them back.
 */
export async function contextFiles(root: string): Promise<string[]> {
  const inContext = await contextFilter(root);
  const rules = await readFile(join(root, '.dockerignore'), 'utf8');
  const hasExceptions = rules.split('\n').some((line) => line.trim().startsWith('!'));
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (inContext(path) || hasExceptions) await walk(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && inContext(path)) {
        files.push(path);
      }
    }
  };
  await walk('');
  return files.sort();
}
