import { describe } from 'vitest';
import { serviceAvailable, TEST_PG_URL } from '../../../test/helpers/services.ts';
import { postgresUnderTest } from '../../../test/helpers/stores.ts';
import { describeStoreContract } from '../store.contract.ts';

if (await serviceAvailable('PostgreSQL', TEST_PG_URL)) {
  describeStoreContract('postgres', () => postgresUnderTest.open());
} else {
  describe.skip('store contract: postgres (PostgreSQL unreachable)', () => undefined);
}
