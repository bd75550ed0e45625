import { describe, expect, it } from 'vitest';
import { TimeZone } from '../src/aggregate/time-zone.ts';
import { loadConfig } from '../src/config.ts';
import { runDemo } from '../src/demo/run-demo.ts';
import { sqliteUnderTest } from './helpers/stores.ts';

describe('npm run demo', () => {
  it('loads traffic through the real ingest path and prints commands that return data', async () => {
    const store = await sqliteUnderTest.open();
    const config = { ...loadConfig({ KEYMETER_PORT: '0' }), timeZone: new TimeZone('Asia/Kolkata') };
    const demo = await runDemo(store, config, 3000);
    try {
      expect(demo.commands).toHaveLength(3);
      for (const url of demo.urls) {
        const res = await fetch(url, { headers: { authorization: demo.accessKey } });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { data: Array<{ hits: number; error: number }> };
        expect(body.data.length).toBeGreaterThan(0);
        expect(body.data[0]?.hits).toBeGreaterThan(0);
      }
      const all = await fetch(demo.urls[1] ?? '', { headers: { authorization: demo.accessKey } });
      const rows = ((await all.json()) as { data: Array<{ error: number }> }).data;
      expect(rows.some((r) => r.error > 0)).toBe(true);
    } finally {
      await demo.app.close();
      await store.close();
    }
  });
});
