import { describe, expect, it } from 'vitest';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import { demoRecords } from '../../src/demo/traffic.ts';
import { testApp } from '../helpers/app.ts';
import { storesUnderTest } from '../helpers/stores.ts';

const stores = storesUnderTest();
const QUERIES = [
  'keys/endpoint/7f3c3ca87376cabe/1/1/2024/31/12/2024?p=0',
  'keys/endpoint/00000000/15/2/2024/3/3/2024',
  'keys/endpoint/00000000/15/2/2024/3/3/2024?p=2',
  'oauthid/endpoint/27b35a9ed46e429eb2361e440cc4005c/1/3/2024/1/3/2024?p=0',
  'keys/endpoint/nobody/1/1/2024/31/12/2024',
];

/** Same records in, byte-identical responses out, whatever the backend. */
describe('every store answers byte for byte the same', () => {
  it.skipIf(stores.length < 2)(`for ${stores.map((s) => s.name).join(' and ')}`, async () => {
    const records = demoRecords('org-a', Date.UTC(2024, 2, 10), 60, 4000, 7);
    const answers: string[][] = [];
    for (const backend of stores) {
      const t = await testApp(await backend.open(), {
        timeZone: new TimeZone('Asia/Kolkata'),
        ingestMaxBytes: 16 * 1024 * 1024, // 4,000 msgpack records exceed the helper's 1 MB default
      });
      try {
        await t.createOrg('org-a');
        const key = await t.createUser('org-a');
        const r = await t.ingestMsgpack(records);
        expect(r.body.Meta?.accepted).toBe(records.length);
        answers.push(
          await Promise.all(QUERIES.map(async (q) => (await t.get(`/api/activity/${q}`, key)).raw)),
        );
      } finally {
        await t.close();
      }
    }
    expect(JSON.parse(answers[0]?.[0] ?? '{}').data.length).toBeGreaterThan(3);
    for (const other of answers.slice(1)) expect(other).toEqual(answers[0]);
  });
});
