// What is under the cursor (server/src/lsp/lookup.ts): names and keywords, across two
// spellings of one file, and after the text changes.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { keywordAt, nameAt, sameFileAs } from '../../server/src/lsp/lookup';

const TEXT = 'platform p {\n  cpu intel\n  host_bridge hb0 { root_port rp0 { gpu gpu0 03:00.0 { bar 0 0x80000000 size 16M } } }\n}\nbuffer frame from gpu0 { size 4M }\n';

describe('lookup', () => {
  it('sameFileAs: two spellings of one path are one file; another path is not', () => {
    const same = sameFileAs('file:///work/m/a.dmabuf');
    expect(same('file:///work/m/a.dmabuf')).toBe(true);
    expect(same('file:///work/m/./x/../a.dmabuf')).toBe(true);
    expect(same('file:///work/m/b.dmabuf')).toBe(false);
    expect(same('file:///work/m/./x/../a.dmabuf')).toBe(true); // asked again: the same answer
  });

  it('nameAt finds a reference when the request spells the file differently from the analysis', () => {
    const a = analyze('file:///work/m/a.dmabuf', { readFile: () => TEXT, resolveUse: () => ({ refused: 'no uses' }) });
    const at = TEXT.indexOf('gpu gpu0') + 5;
    const decl = nameAt(a, 'file:///work/m/./a.dmabuf', at);
    expect(decl?.kind).toBe('declaration');
    const ref = nameAt(a, 'file:///work/m/x/../a.dmabuf', TEXT.lastIndexOf('gpu0') + 2);
    expect(ref?.kind).toBe('reference');
    expect(ref?.symbol?.name).toBe('gpu0');
    expect(nameAt(a, 'file:///work/m/b.dmabuf', at)).toBeUndefined();
  });

  it('keywordAt reads the text it is given, also right after another text', () => {
    const at = TEXT.indexOf('intel') + 2;
    expect(keywordAt(TEXT, at)).toEqual({ word: 'intel', start: TEXT.indexOf('intel'), end: TEXT.indexOf('intel') + 5 });
    const changed = TEXT.replace('cpu intel', 'cpu amd  ');
    expect(keywordAt(changed, at)?.word).toBe('amd');
    expect(keywordAt(TEXT, TEXT.indexOf('frame') + 1)).toBeUndefined(); // a name, not a keyword
    expect(keywordAt(TEXT, TEXT.indexOf('intel') + 5)?.word).toBe('intel'); // just after it
  });
});
