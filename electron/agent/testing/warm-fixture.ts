/**
 * A warm worker with stand-in commands, for warm-worker-process.test.ts (run with tsx):
 *   status  reads all of stdin, says its length on stdout and a log line on stderr, exits 3
 *   run     waits for SIGTERM, says so on stderr, exits 1
 *   apply   never reads stdin and never ends by itself
 *   pitr-status  says "done" and exits 0 at once, without reading stdin
 */
import { inputText } from '../../core/agent/input-lines.js';
import { serveOneCommand } from '../warm-worker.js';

serveOneCommand(process.argv[2]!, { stateDir: '/nonexistent', version: 'test' }, async (argv, env) => {
  if (argv[0] === 'status') {
    const text = await inputText(env.stdinStream());
    env.out(`got ${text.length}`);
    console.error('a log line');
    return 3;
  }
  if (argv[0] === 'pitr-status') {
    env.out('done');
    return 0;
  }
  if (argv[0] === 'run') {
    await new Promise((resolve) => process.once('SIGTERM', resolve));
    env.err('cancelled');
    return 1;
  }
  await new Promise(() => setInterval(() => undefined, 1000));
  return 0;
});
