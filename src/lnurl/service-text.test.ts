import { describe, expect, it } from 'vitest';
import { serviceText } from './service-text.ts';

describe('serviceText', () => {
  it('keeps plain words as they are', () => {
    expect(serviceText('Reward already claimed', 300)).toBe('Reward already claimed');
  });

  it('puts the text on one line and drops control, format and direction characters', () => {
    expect(serviceText('line one\r\nline two\u2028three\u0007', 300)).toBe('line one line two three');
    expect(serviceText('pay \u202Eeulav\u202C now\u200B!', 300)).toBe('pay eulav now!');
  });

  it('cuts at max characters with an ellipsis, never inside an emoji', () => {
    expect(serviceText('abcdef', 6)).toBe('abcdef');
    expect(serviceText('abcdefg', 6)).toBe('abcde…');
    expect(serviceText('😀😀😀😀', 3)).toBe('😀😀…');
  });

  it('is empty when nothing is left', () => {
    expect(serviceText('\u200B\u202E \n', 300)).toBe('');
  });
});
