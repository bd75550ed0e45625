import { sqliteUnderTest } from '../../../test/helpers/stores.ts';
import { describeStoreContract } from '../store.contract.ts';

describeStoreContract('sqlite', () => sqliteUnderTest.open());
