/**
 * Tyk gateway simulator: pushes realistic analytics records to Redis exactly as a gateway does.
 *   npm run simulate -- --rate 1000 --seconds 10 [--redis redis://127.0.0.1:6379] [--prefix analytics-]
 *                       [--org ID] [--keys 20] [--apis 5] [--spread] [--seed 1] [--raw-bytes 40]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { syntheticRecords } from '../src/sim/gateway-traffic.ts';
import { pushGatewayRecords } from '../src/sim/push-gateway.ts';
import { seededRandom } from '../src/sim/random.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    prefix: { type: 'string', default: 'analytics-' },
    org: { type: 'string' },
    keys: { type: 'string', default: '20' },
    apis: { type: 'string', default: '5' },
    spread: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'raw-bytes': { type: 'string', default: '40' },
  },
});

function positive(name: string, value: string | undefined, allowZero = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    console.error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`);
    process.exit(2);
  }
  return n;
}

const rate = positive('rate', args.rate);
const seconds = positive('seconds', args.seconds);
const seed = positive('seed', args.seed, true);
const total = Math.round(rate * seconds);
const startMs = Date.now();
const records = syntheticRecords(seed, {
  ...(args.org === undefined ? {} : { orgId: args.org }),
  keys: positive('keys', args.keys, true),
  apis: positive('apis', args.apis),
  startMs,
  intervalMs: 1000 / rate,
  rawBytes: positive('raw-bytes', args['raw-bytes'], true),
});
const redis = new Redis(args.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect();

// The gateway's analytics worker flushes its buffer every few tens of ms; so do we, at the rate asked.
const TICK_MS = 50;
const random = seededRandom(seed + 1);
const perList: Record<string, number> = {};
let sent = 0;
let bytes = 0;
while (sent < total) {
  const due = Math.min(total, Math.floor((rate * (Date.now() - startMs)) / 1000));
  const batch: Buffer[] = [];
  for (; sent + batch.length < due; ) {
    const next = records.next();
    if (next.done) break;
    batch.push(next.value.bytes);
    bytes += next.value.bytes.length;
  }
  if (batch.length > 0) {
    const pushed = await pushGatewayRecords(redis, args.prefix, batch, {
      spread: args.spread,
      random,
      flushSize: 1000,
    });
    for (const [list, n] of Object.entries(pushed)) perList[list] = (perList[list] ?? 0) + n;
    sent += batch.length;
  }
  if (sent < total) await sleep(TICK_MS);
}
const elapsed = (Date.now() - startMs) / 1000;
await redis.quit();

console.log(
  `pushed ${sent} records (${(bytes / Math.max(1, sent)).toFixed(0)} bytes avg) in ${elapsed.toFixed(1)} s ` +
    `= ${(sent / elapsed).toFixed(0)} rec/s`,
);
for (const [list, n] of Object.entries(perList).sort()) console.log(`  ${list}: ${n}`);
