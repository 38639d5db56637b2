/**
 * The timeline's first question answered once before anyone asks it: when the desktop app or the
 * web host starts, the newest month of every local repository is listed in the background, while
 * the window is still loading. Measured on the 10,000-snapshot benchmark repository (bench/ui): the
 * first list after a start took 106 ms, every later one 19–22 ms (the code compiled, the
 * repository opened, its day folders in the page cache) — and a cold open of the timeline waits for
 * exactly that first list.
 *
 * Local repositories only: listing an S3 or SFTP one would open connections (an SFTP one may ask
 * about its host key) before the user asked for anything. Failures are the timeline's to report
 * when it is opened; here they are only logged.
 */
import type { BackendHandlers } from '../backend-types.js';
import { createLogger } from '../log.js';
import { recentFrom } from '../../../shared/recent-snapshots.js';

const log = createLogger('backend');


export async function warmUpTimelines(handlers: Pick<BackendHandlers, 'repositories' | 'snapshots'>, now = Date.now): Promise<number> {
  let listed = 0;
  try {
    const repositories = await handlers.repositories.list({});
    for (const r of repositories) {
      if (r.kind !== 'local') continue;
      await handlers.snapshots.list({ repositoryId: r.id, from: recentFrom(now()) }).then(
        () => listed++,
        (e: unknown) => log.info(`could not list ${r.name} ahead of the timeline: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
  } catch (e) {
    log.info(`could not list the repositories ahead of the timeline: ${e instanceof Error ? e.message : String(e)}`);
  }
  return listed;
}
