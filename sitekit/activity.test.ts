import { describe, expect, it } from 'vitest';
import { memoryActivity } from './activity.ts';

describe('memoryActivity', () => {
  it('keeps the last time per deposit until deleted', async () => {
    const a = memoryActivity();
    expect(await a.get('h')).toBeUndefined();
    await a.set('h', 100, 60);
    await a.set('h', 130, 60);
    expect(await a.get('h')).toBe(130);
    await a.delete('h');
    expect(await a.get('h')).toBeUndefined();
  });
  it('drops entries past their TTL once it grows, and keeps live ones', async () => {
    const a = memoryActivity();
    for (let i = 0; i < 1000; i++) await a.set(`old${i}`, 0, 10);
    await a.set('live', 0, 10_000);
    for (let i = 0; i < 23; i++) await a.set(`new${i}`, 100, 10); // the 1024th entry prunes
    expect(await a.get('old0')).toBeUndefined();
    expect(await a.get('old999')).toBeUndefined();
    expect(await a.get('live')).toBe(0);
    expect(await a.get('new0')).toBe(100);
  });
});
