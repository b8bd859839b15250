// A LabApi whose every call records its argument and answers { call, arg }.
import { vi, type Mock } from 'vitest';
import { CALLS, type CallName, type LabApi } from '../../src-main/contract.ts';

export type FakeApi = LabApi & Record<CallName, Mock>;

export function fakeApi(): FakeApi {
  return Object.fromEntries(CALLS.map((name) => [name, vi.fn(async (arg?: unknown) => ({ call: name, arg }))])) as unknown as FakeApi;
}

export function callsMade(api: FakeApi): number {
  return CALLS.reduce((n, name) => n + api[name].mock.calls.length, 0);
}
