// Messages a newcomer can act on (issue 22): each mistake is one error, at the word that
// is wrong, in the language's words (the BDF form, size suffixes, the block that is
// open), with "did you mean" where a keyword or name is near; and no verdict is computed
// on a topology the parser had to guess.
import { describe, expect, it } from 'vitest';
import { parse } from '../../server/src/syntax/parser';
import type * as A from '../../server/src/syntax/ast';
import { analyzeText } from '../helpers/analyzeFile';

function errorsOf(text: string) {
  return parse(text).errors.map((e) => ({ message: e.message, start: e.span.start, end: e.span.end, ...(e.replace ? { replace: e.replace } : {}) }));
}

const SWITCH_OPEN = `platform p {
  iommu vtd
  host_bridge hb0 id 8086:2030 {
    window 0x40_0000_0000 .. 0x7f_ffff_ffff
    root_port rp0 00:01.0 acs {
      switch sw0 01:00.0 acs {
        gpu gpu0 03:00.0 { bar 0 0x40_0000_0000 size 16G prefetchable }
      nic nic0 05:00.0 { bar 0 0x60_0000_0000 size 64K }
    }
  }
}
buffer db from nic0 driver vfio-pci { size 64K }
`;

describe('a missing }', () => {
  it('is one error where the } is missing, naming the block and where it opened; the next device stays where it is written', () => {
    expect(errorsOf(SWITCH_OPEN)).toEqual([
      {
        message: "expected '}' to close the block of switch sw0 (opened at line 6) before 'nic' at line 8",
        start: { line: 6, character: 71 },
        end: { line: 6, character: 71 },
      },
    ]);
    const p = parse(SWITCH_OPEN).model.items[0] as A.PlatformDecl;
    const rp0 = (p.items[1] as A.HostBridgeDecl).children[0] as A.RootPortDecl;
    // nic0 is rp0's child, as its indentation says, not nested into sw0.
    expect(rp0.children.map((c) => c.name.text)).toEqual(['sw0', 'nic0']);
    expect((rp0.children[0] as A.SwitchDecl).children.map((c) => c.name.text)).toEqual(['gpu0']);
  });

  it('a balanced statement is never re-read by its indentation (a version-1 file keeps its meaning)', () => {
    const text = 'platform p {\ncpu intel\n  kvm k\n}\n';
    expect(errorsOf(text)).toEqual([]);
    expect((parse(text).model.items[0] as A.PlatformDecl).items.map((i) => i.kind)).toEqual(['Cpu', 'Kvm']);
  });
});

describe('literals in the words of the language', () => {
  it('a BDF written short is one error that gives the form bus:dev.fn and the BDF meant', () => {
    const text = 'platform p {\n  host_bridge hb0 {\n    gpu gpu0 3:0.0\n  }\n}\n';
    expect(errorsOf(text)).toEqual([
      {
        message:
          "'3:0.0' is not a BDF: write bus:device.function in hex, two digits for bus and device and one for the function (03:00.0), with an optional 4-digit segment (0000:03:00.0): did you mean '03:00.0'?",
        start: { line: 2, character: 13 },
        end: { line: 2, character: 18 },
        replace: '03:00.0',
      },
    ]);
  });

  it('a size with a lower-case suffix is one error at the size, and the buffer still has its size', () => {
    const text = 'platform p { memory m 0x1_0000_0000 size 1G }\nbuffer b from heap { size 1g }\n';
    expect(errorsOf(text)).toEqual([
      {
        message:
          "'1g' is not a size: write a decimal number with K, M, G or T (or KiB, MiB, GiB, TiB) right after it, upper case, or a plain number of bytes: did you mean '1G'?",
        start: { line: 1, character: 26 },
        end: { line: 1, character: 28 },
        replace: '1G',
      },
    ]);
    expect(analyzeText(text).findings.map((f) => f.code)).toEqual(['syntax-error']);
  });

  it("a name with '-' is one error at the name, with the name it can be", () => {
    expect(errorsOf('platform p {\n  kvm gpu-0\n}\n')).toEqual([
      {
        message: "names may not contain '-': write 'gpu_0' (a '-' belongs only to keywords such as vfio-pci)",
        start: { line: 1, character: 6 },
        end: { line: 1, character: 11 },
        replace: 'gpu_0',
      },
    ]);
  });
});

describe('contextual keywords', () => {
  it('buffer vram … and share bar -> … parse: a keyword is a name where a name is expected, on its line', () => {
    const text = 'buffer vram from heap { size 1M }\nshare vram -> bar { attach dynamic }\nbuffer share from heap { size 4K }\n';
    expect(errorsOf(text)).toEqual([]);
    const items = parse(text).model.items;
    expect((items[0] as A.BufferDecl).name.text).toBe('vram');
    expect((items[1] as A.ShareDecl).importer?.text).toBe('bar');
    expect((items[2] as A.BufferDecl).name.text).toBe('share');
  });

  it('from heap and -> cpu keep their version-1 meaning', () => {
    const items = parse('buffer b from heap { size 1M }\nshare b -> cpu\n').model.items;
    expect((items[0] as A.BufferDecl).heap?.value).toBe('heap');
    expect((items[1] as A.ShareDecl).cpu?.value).toBe('cpu');
  });

  it('a keyword at the start of the next line is the next statement: the name is what is missing', () => {
    expect(errorsOf('platform p {\n  kvm\n  iommufd fd\n}\n')).toEqual([
      { message: "expected a name after 'kvm', found 'iommufd'", start: { line: 2, character: 2 }, end: { line: 2, character: 9 } },
    ]);
  });
});

describe('did you mean', () => {
  it('a misspelled statement keyword: one error, and the statement is read as meant', () => {
    const text = 'platform p {\n  host_bridge hb {\n    swich sw0 01:00.0 acs {\n      gpu g0\n    }\n  }\n}\n';
    expect(errorsOf(text)).toEqual([
      { message: "unexpected 'swich': did you mean 'switch'?", start: { line: 2, character: 4 }, end: { line: 2, character: 9 }, replace: 'switch' },
    ]);
    const hb = (parse(text).model.items[0] as A.PlatformDecl).items[0] as A.HostBridgeDecl;
    expect(hb.children.map((c) => c.kind)).toEqual(['Switch']);
  });

  it('a misspelled share item', () => {
    expect(errorsOf('share a -> b { move_notfy }')).toEqual([
      { message: "unexpected 'move_notfy': did you mean 'move_notify'?", start: { line: 0, character: 15 }, end: { line: 0, character: 25 }, replace: 'move_notify' },
    ]);
  });

  it('a misspelled value keyword keeps the list of what is allowed', () => {
    expect(errorsOf('platform p { iommu vdt }')).toEqual([
      {
        message: "expected 'vtd', 'amd-vi' or 'smmu' after 'iommu', found 'vdt': did you mean 'vtd'?",
        start: { line: 0, character: 19 },
        end: { line: 0, character: 22 },
        replace: 'vtd',
      },
    ]);
  });

  it('a misspelled top-level keyword', () => {
    expect(errorsOf('buffer b from heap { size 1M }\nshar b -> c\n')).toEqual([
      {
        message: "unexpected 'shar': did you mean 'share'? (a model is made of use, platform, buffer and share statements)",
        start: { line: 1, character: 0 },
        end: { line: 1, character: 4 },
        replace: 'share',
      },
    ]);
  });

  it('a name near a declared one of the right kind (nic1 for nic0); none when two are as near', () => {
    const base = 'platform p {\n  host_bridge hb {\n    nic nic0 01:00.0\n    gpu gpu0 02:00.0\n  }\n}\nbuffer b from heap { size 4K }\n';
    const a = analyzeText(base + 'share b -> nic1\n');
    const f = a.findings.filter((x) => x.code === 'unknown-name');
    expect(f.map((x) => [x.message, x.span.start, x.span.end, x.data])).toEqual([
      ["'nic1' is not declared in this model: expected an importer (a PCI function, platform device, iommufd, kvm or cpu): did you mean 'nic0'?", { line: 7, character: 11 }, { line: 7, character: 15 }, { replace: 'nic0', found: 'nic1' }],
    ]);
    const two = analyzeText(base.replace('gpu gpu0', 'nic nic2') + 'share b -> nic1\n').findings.find((x) => x.code === 'unknown-name');
    expect(two?.message).not.toContain('did you mean');
  });
});

describe('engine findings on a guessed topology', () => {
  it('a syntax error in the platform: the engine is not run (no acs-redirect, no shares), and the analysis says why', () => {
    const text = SWITCH_OPEN.replace('buffer db', 'share db -> gpu0 { attach dynamic move_notify peer2peer expect bus_addr }\nbuffer db');
    const a = analyzeText(text);
    expect(a.engineWithheld).toBe('syntax-errors');
    expect(a.shares).toEqual([]);
    expect(a.findings.map((f) => f.code)).toEqual(['syntax-error']);
    // Closed, the same model gets its verdicts.
    const fixed = analyzeText(text.replace('prefetchable }\n', 'prefetchable }\n      }\n'));
    expect(fixed.engineWithheld).toBeUndefined();
    expect(fixed.findings.map((f) => f.code)).toContain('acs-redirect');
  });

  it('a syntax error outside the platform: the engine runs on the shares that were read', () => {
    const a = analyzeText(SWITCH_OPEN.replace('      nic nic0', '      }\n      nic nic0') + 'share db -> gpu0 { attach dynamic move_notify peer2peer }\nshare db -> gpu0 as s2 { move_notfy }\n');
    expect(a.engineWithheld).toBeUndefined();
    expect(a.shares.length).toBe(2);
  });
});
