/** The Runs view's state: stored comparisons and runs, newest first. */
import type { HistoryEntry } from '../../../../src-main/contract.ts';
import { api, errorText } from '../api.ts';

export class HistoryState {
  entries = $state<HistoryEntry[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.entries = await api.listHistory({ limit: 200 });
      this.error = null;
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.loading = false;
    }
  }

  async remove(e: HistoryEntry): Promise<void> {
    try {
      if (e.kind === 'comparison') await api.deleteComparison({ id: e.id });
      else await api.deleteRun({ id: e.id });
      this.entries = this.entries.filter((x) => !(x.kind === e.kind && x.id === e.id));
    } catch (err) {
      this.error = errorText(err);
    }
  }
}

export const history = new HistoryState();
