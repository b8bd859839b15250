// Values by UDP endpoint (address and port), as the gateway finds the IKE SA of a keepalive's sender.
import { describe, expect, it } from 'vitest';
import { EndpointMap } from '../../../src-main/core/net/endpoint-map.ts';

describe('EndpointMap', () => {
  it('tells endpoints apart by address and by port, and forgets what is deleted', () => {
    const m = new EndpointMap<string>();
    m.set({ address: '198.18.1.2', port: 4500 }, 'a');
    m.set({ address: '198.18.1.3', port: 4500 }, 'b');
    m.set({ address: '198.18.1.2', port: 40001 }, 'c');
    expect(m.get({ address: '198.18.1.2', port: 4500 })).toBe('a');
    expect(m.get({ address: '198.18.1.3', port: 4500 })).toBe('b');
    expect(m.get({ address: '198.18.1.2', port: 40001 })).toBe('c');
    expect(m.get({ address: '198.18.1.3', port: 40001 })).toBeUndefined();
    m.set({ address: '198.18.1.2', port: 4500 }, 'd');
    expect(m.get({ address: '198.18.1.2', port: 4500 })).toBe('d');
    m.delete({ address: '198.18.1.2', port: 4500 });
    expect(m.get({ address: '198.18.1.2', port: 4500 })).toBeUndefined();
    expect(m.get({ address: '198.18.1.3', port: 4500 })).toBe('b');
    m.delete({ address: '198.18.1.3', port: 4500 });
    m.delete({ address: '198.18.9.9', port: 9 }); // not there: nothing happens
    expect(m.get({ address: '198.18.1.2', port: 40001 })).toBe('c');
  });
});
