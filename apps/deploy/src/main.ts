// `npm run manifests`: regenerates docker/topology, docker/compose and
// docker/kubernetes from topology/*.json (see docs/deploying.md).
import { REPO_ROOT } from '@seam/platform/processes';
import { writeManifests } from './manifests.js';

for (const path of await writeManifests(REPO_ROOT)) console.log(`wrote ${path}`);
