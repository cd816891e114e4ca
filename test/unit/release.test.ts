import { describe, expect, it } from 'vitest';
import { atLeast, compareRelease, parseRelease, releaseText } from '../../server/src/ground/release';

describe('ground/release: a mainline release as uname -r and the model write it', () => {
  it('reads a distro uname -r as its mainline base (5.15.0-91-generic is 5.15)', () => {
    expect(parseRelease('5.15.0-91-generic')).toEqual({ major: 5, minor: 15 });
    expect(parseRelease('v7.3')).toEqual({ major: 7, minor: 3 });
    expect(parseRelease('6.8')).toEqual({ major: 6, minor: 8 });
  });
  it('refuses what is not a release', () => {
    expect(parseRelease('ubuntu')).toBeUndefined();
    expect(parseRelease('6')).toBeUndefined();
    expect(parseRelease('6.123456')).toBeUndefined();
  });
  it('orders 6.19 before 7.0 and 6.8 before 6.12 (minor compared as a number)', () => {
    expect(compareRelease({ major: 6, minor: 8 }, { major: 6, minor: 12 })).toBeLessThan(0);
    expect(atLeast({ major: 6, minor: 19 }, 7, 0)).toBe(false);
    expect(atLeast({ major: 7, minor: 1 }, 7, 1)).toBe(true);
    expect(releaseText({ major: 6, minor: 12 })).toBe('6.12');
  });
});
