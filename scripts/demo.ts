// `npm run demo`: keymeter on a fresh demo database with a week of synthetic traffic.
import { rmSync } from 'node:fs';
import { ConfigError, loadConfig } from '../src/config.ts';
import { runDemo } from '../src/demo/run-demo.ts';
import { openStore } from '../src/store/open-store.ts';

try {
  const config = loadConfig({ KEYMETER_STORE: 'sqlite:./data/demo.db', ...process.env });
  if (config.store.kind === 'sqlite' && config.store.file.endsWith('demo.db')) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${config.store.file}${suffix}`, { force: true });
  }
  const store = await openStore(config.store);
  const demo = await runDemo(store, config);
  console.log(`
keymeter demo on ${demo.baseUrl} (store: ${config.store.kind}, zone: ${config.timeZone.name})
Loaded ${demo.records} synthetic gateway records (3 APIs, 4 keys incl. 00000000, 2 OAuth clients,
errors and latencies over 7 days) through POST /ingest/records.

Try (each returns data):
${demo.commands.map((c) => `  ${c}`).join('\n')}

Access key of the demo user: ${demo.accessKey}
Press Ctrl-C to stop.`);
  const stop = async () => {
    await demo.app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`keymeter demo: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
