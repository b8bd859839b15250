// The growing JSON array the session writer keeps its chunks in.
import { describe, expect, it } from 'vitest';
import { JsonArrayBuffer } from '../../../src-main/node/live/json-array-buffer.ts';

describe('JsonArrayBuffer', () => {
  it('builds a JSON array element by element, growing past its first block, and starts over after clear', () => {
    const b = new JsonArrayBuffer();
    expect(b.text()).toBe('[]');
    const elements = Array.from({ length: 300 }, (_, i) => ({ i, s: `element ${i} ${'x'.repeat(i % 17)}`, u: i % 50 === 0 ? 'RRC_IDLE \u00e9\u4e2d' : null }));
    for (const e of elements) b.push(JSON.stringify(e));
    expect(b.count).toBe(300);
    expect(JSON.parse(b.text())).toEqual(elements);
    b.clear();
    expect(b.count).toBe(0);
    expect(b.text()).toBe('[]');
    b.push('[1,"a"]');
    b.push('null');
    expect(b.text()).toBe('[[1,"a"],null]');
  });
});
