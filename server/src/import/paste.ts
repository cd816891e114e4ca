// What users paste: the output of lspci in any of its forms (-t, -tv, -tvnn, -v, -vvv,
// -k, -nnk, plain), of the usual IOMMU-group loops, of `find /sys/kernel/iommu_groups`,
// often several of them in one text, copied from a terminal, a forum or an issue: with
// shell prompts, Markdown fences, quote markers, CRLF, a common indent. This module
// takes such a text apart by content, line by line, into the tree, the device blocks
// and the group listing, and says what it noticed (the commands seen, a cut-off end).

const BDF = '(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]';
/** A device line of lspci without -t: `00:02.0 VGA compatible controller [0300]: …`. */
const HEADER_RE = new RegExp(`^(${BDF}(?:/(?:[0-9a-fA-F]{2}:)?[0-9a-fA-F]{2}\\.[0-7])*) (.+: .*)$`);
const TREE_ROOT_RE = /^[ |+\\`-]*\[(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}\](?:-|$)/;
const TREE_LINE_RE = /^[ |]*(?:[+\\`]-|-\[|-[0-9a-fA-F]{2}\.[0-7])/;
const GROUP_RE = /^IOMMU [Gg]roup\s+(\d+)\b:?\s*(.*)$/;
const SYS_GROUP_RE = /iommu_groups\/(\d+)\/devices(?:\/((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]))?/;
const BDF_ANYWHERE_RE = /\b((?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\b/;
/** A shell prompt before a command (`$ lspci -nnk`, `user@host:~$ sudo lspci`, `[root@h ~]# find …`). */
const PROMPT_RE = /^(?:\S*[@:~\]]\S*\s*)?[$#%>]\s+((?:sudo\s+)?\S.*)$/;

export interface GroupListing {
  /** The group of each function, by its address as written (`01:00.0`, `0000:01:00.0`). */
  readonly groupOf: Map<string, number>;
  /** The lspci lines the listing printed for the functions (class, ids), as device lines. */
  readonly headers: string[];
  /** The input line of each function's entry. */
  readonly lineOf: Map<string, number>;
}

export interface PasteParts {
  /** The lines of `lspci -t…`, in order (empty when there is no tree). */
  readonly tree: string[];
  /** Device lines with their indented details (`-v…`, `-k`, plain lspci). */
  readonly devices: string[];
  readonly groups: GroupListing;
  /** The commands the prompts show (`lspci -nnk`). */
  readonly commands: string[];
  /** Findings about the text (a cut-off tree, fences removed…). */
  readonly notes: string[];
}

/**
 * The text with the wrapping of a paste taken away: CR, a BOM, Markdown fences and
 * quote markers, a common indent. Prompt lines stay (splitPaste reads the commands).
 */
export function cleanPaste(text: string): string {
  let lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+$/, '').replace(/^(\s*)\*\*(?=\S)/, '$1').replace(/(\S)\*\*$/, '$1'));
  // Quote markers of Markdown and mail (`> `), when every non-empty line has them.
  const nonEmpty = lines.filter((l) => l.trim().length > 0);
  if (nonEmpty.length > 0 && nonEmpty.every((l) => /^\s*>/.test(l))) lines = lines.map((l) => l.replace(/^\s*> ?/, ''));
  lines = lines.filter((l) => !/^\s*(?:```|~~~)/.test(l) && !/^\s*\[\/?code\]\s*$/i.test(l));
  const indents = lines.filter((l) => l.trim().length > 0 && !/^\s*IOMMU [Gg]roup/.test(l)).map((l) => /^[ \t]*/.exec(l)![0]);
  const common = indents.length > 0 ? indents.reduce((a, b) => (b.startsWith(a) ? a : a.startsWith(b) ? b : commonPrefix(a, b))) : '';
  if (common.length > 0) lines = lines.map((l) => (l.startsWith(common) ? l.slice(common.length) : l.replace(/^[ \t]+/, '')));
  return lines.join('\n');
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

export function isDeviceLine(line: string): boolean {
  return HEADER_RE.test(line);
}

/** The parts of a pasted text, by content. */
export function splitPaste(text: string): PasteParts {
  const lines = cleanPaste(text).split('\n');
  const tree: string[] = [];
  const devices: string[] = [];
  const groups: GroupListing = { groupOf: new Map(), headers: [], lineOf: new Map() };
  const commands: string[] = [];
  const notes: string[] = [];
  let mode: 'none' | 'tree' | 'device' | 'group' = 'none';
  let group: number | undefined;
  const addMember = (bdf: string, g: number, line: number) => {
    if (!groups.groupOf.has(bdf)) {
      groups.groupOf.set(bdf, g);
      groups.lineOf.set(bdf, line);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim().length === 0) {
      if (mode === 'device') devices.push('');
      continue;
    }
    const prompt = PROMPT_RE.exec(line);
    if (prompt && !isDeviceLine(line) && !TREE_LINE_RE.test(line)) {
      commands.push(prompt[1]!.trim());
      mode = 'none';
      continue;
    }
    const g = GROUP_RE.exec(line.trim());
    if (g) {
      group = Number(g[1]);
      mode = 'group';
      const rest = g[2]!.trim();
      if (isDeviceLine(rest)) {
        addMember(rest.split(' ')[0]!, group, i + 1);
        groups.headers.push(rest);
      } else {
        // Other tools' lines (`IOMMU Group 12: 0000:01:00.0 USB controller [0c03] …`): the address only.
        const dev = /^((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\b/.exec(rest)?.[1];
        if (dev) addMember(dev, group, i + 1);
      }
      continue;
    }
    const sys = SYS_GROUP_RE.exec(line);
    if (sys) {
      group = Number(sys[1]);
      mode = 'group';
      const dev = sys[2] ?? BDF_ANYWHERE_RE.exec(line.slice(sys.index + sys[0].length))?.[1];
      if (dev) addMember(dev, group, i + 1);
      continue;
    }
    if (mode === 'group' && (/^\s/.test(line) || isDeviceLine(line))) {
      const body = line.trim();
      if (isDeviceLine(body)) {
        addMember(body.split(' ')[0]!, group!, i + 1);
        groups.headers.push(body);
        continue;
      }
      // `ls -l …/devices` under a `…/N/devices:` line: one link per function.
      const dev = BDF_ANYWHERE_RE.exec(body)?.[1];
      if (dev && /->|^l/.test(body)) addMember(dev, group!, i + 1);
      continue;
    }
    if (TREE_ROOT_RE.test(line) || (mode === 'tree' && (TREE_LINE_RE.test(line) || /^[ |]+$/.test(line)))) {
      tree.push(line);
      mode = 'tree';
      continue;
    }
    if (isDeviceLine(line)) {
      devices.push(line);
      mode = 'device';
      continue;
    }
    if (mode === 'device' && /^\s/.test(line)) {
      devices.push(line);
      continue;
    }
    mode = 'none';
  }
  if (tree.length > 0 && treeLooksCut(tree)) notes.push(`warning: the lspci -t tree looks cut off: its last line ("${tree[tree.length - 1]!.trim()}") still has branches open (+- or |); functions after it are missing`);
  return { tree, devices, groups, commands, notes };
}

/**
 * In `lspci -t` the last child of every node is drawn with `\-` and the columns of
 * finished nodes are blank: the last line of a whole tree has no `+-` and no `|`.
 */
function treeLooksCut(tree: readonly string[]): boolean {
  const last = tree[tree.length - 1]!;
  return /\+-|\|/.test(last);
}

/** What the device blocks are, in lspci's options: which details they carry. */
export interface DeviceForm {
  /** Some block has indented details. */
  readonly details: boolean;
  /** `Bus: primary=…` lines (lspci -v and more): the tree can be built from them. */
  readonly busLines: boolean;
  /** `Capabilities:` lines (lspci -v and more, as root). */
  readonly capabilities: boolean;
  /** The form in lspci's options, for messages (`lspci -nnk`). */
  readonly name: string;
}

export function deviceForm(devices: readonly string[]): DeviceForm {
  const headers = devices.filter(isDeviceLine);
  const detail = devices.filter((l) => /^\s+\S/.test(l));
  const busLines = detail.some((l) => /^\s+Bus: primary=/.test(l));
  const capabilities = detail.some((l) => /^\s+Capabilities:/.test(l));
  const kernelOnly = detail.length > 0 && detail.every((l) => /^\s+(?:Subsystem|Kernel driver in use|Kernel modules|DeviceName|Physical Slot):/.test(l));
  const nn = headers.some((h) => /\[[0-9a-fA-F]{4}\]: .*\[[0-9a-fA-F]{4}:[0-9a-fA-F]{4}\]/.test(h));
  // lspci -v prints a `Flags:` line; -vv and -vvv print Control and Status instead.
  const verbose = detail.some((l) => /^\s+Flags:/.test(l)) ? '-v' : '-vvv';
  const name = detail.length === 0 ? `lspci${nn ? ' -nn' : ''}` : kernelOnly ? `lspci ${nn ? '-nnk' : '-k'}` : `lspci ${verbose}${nn ? 'nn' : ''}`;
  return { details: detail.length > 0, busLines, capabilities, name };
}
