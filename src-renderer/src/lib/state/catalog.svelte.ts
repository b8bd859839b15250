/** The built-in and user definitions the views pick from, loaded once and refreshed on demand. */
import type { CatalogItem, FieldDoc, Policy, RadioProfile, Scenario } from '../../../../src-main/contract.ts';
import { api, errorText } from '../api.ts';

export class CatalogState {
  policies = $state<CatalogItem<Policy>[]>([]);
  radios = $state<CatalogItem<RadioProfile>[]>([]);
  scenarios = $state<CatalogItem<Scenario>[]>([]);
  fields = $state<FieldDoc[]>([]);
  problems = $state<string[]>([]);
  error = $state<string | null>(null);
  loaded = $state(false);

  async load(): Promise<void> {
    try {
      const [p, r, s, f] = await Promise.all([api.listPolicies(), api.listRadioProfiles(), api.listScenarios(), api.policyFields()]);
      this.policies = p.items;
      this.radios = r.items;
      this.scenarios = s.items;
      this.fields = f;
      this.problems = [...p.problems, ...r.problems, ...s.problems];
      this.error = null;
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.loaded = true;
    }
  }

  async reloadRadios(): Promise<void> {
    const r = await api.listRadioProfiles();
    this.radios = r.items;
  }
}

export const catalog = new CatalogState();
