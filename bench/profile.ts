// Summary of a V8 CPU profile (`node --cpu-prof`) of the analysis: self time per
// function, and per phase (lex, parse, build, engine, rules, sort) with its GC share.
//
// - A sample belongs to the innermost phase function on its stack (tokenize → lex,
//   parse → parse, buildModel → build, runEngine → engine, runRules → rules,
//   sortFindings → sort, the rest of analyze → analyze); samples with no analyze() on
//   the stack (model generation, the harness) are left out.
// - "(garbage collector)" samples have no stack: each is given to the phase of the
//   sample before it, the code whose allocations triggered it.
// - Functions are named with their source module: the bundle is esbuild's, whose
//   `// path/to/module.ts` comments mark where each module starts.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
  /** Samples per source line (1-based) of the function, when V8 recorded them. */
  readonly positionTicks?: readonly { line: number; ticks: number }[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const PHASES = ['lex', 'parse', 'build', 'engine', 'rules', 'sort', 'analyze'] as const;
type Phase = (typeof PHASES)[number];

/** Function names that open a phase; esbuild may suffix a name with a digit on a clash. */
const MARKERS: [RegExp, Phase][] = [
  [/^tokenize(Internal)?$/, 'lex'],
  [/^parse\d?$/, 'parse'],
  [/^buildModel\d?$/, 'build'],
  [/^runEngine\d?$/, 'engine'],
  [/^runRules\d?$/, 'rules'],
  [/^sortFindings\d?$/, 'sort'],
  [/^analyze\d?$/, 'analyze'],
];

interface FunctionCost {
  readonly name: string;
  readonly module: string;
  readonly selfMs: number;
  /** Share of the analysis' samples (GC included in the total). */
  readonly share: number;
  readonly phase: Phase;
}

interface PhaseCost {
  readonly phase: Phase;
  readonly ms: number;
  readonly gcMs: number;
  readonly gcShare: number;
  readonly top: readonly FunctionCost[];
}

/** One line of the bundle and the time spent on it (from V8's line ticks). */
interface HotLine {
  readonly module: string;
  /** 1-based line in the bundle. */
  readonly bundleLine: number;
  readonly code: string;
  readonly ms: number;
  readonly phase: Phase;
}

export interface ProfileSummary {
  readonly file: string;
  /** Milliseconds of samples inside analyze() (GC after them included). */
  readonly analysisMs: number;
  readonly gcMs: number;
  readonly gcShare: number;
  readonly phases: readonly PhaseCost[];
  readonly top: readonly FunctionCost[];
  /** Milliseconds outside the analysis (generation, harness), for reference. */
  readonly outsideMs: number;
  readonly hotLines: readonly HotLine[];
}

/** Module starts in an esbuild bundle: the line of each `// path` comment. */
function moduleIndex(bundle: string): { line: number; path: string }[] {
  const out: { line: number; path: string }[] = [];
  const lines = bundle.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ ((?:\.\.\/)*[\w@.\-/]+\.(?:ts|js|mjs|cjs|json))$/.exec(lines[i]!);
    if (m) out.push({ line: i, path: m[1]!.replace(/^(\.\.\/)+/, '').replace(/^.*node_modules\//, 'node_modules/') });
  }
  return out;
}

function moduleAt(index: readonly { line: number; path: string }[], line: number): string {
  let lo = 0;
  let hi = index.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index[mid]!.line <= line) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 ? index[best]!.path : '?';
}

export function summarizeProfile(file: string, bundlePath: string, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const bundleUrl = pathToFileURL(bundlePath).href;
  const bundleText = readFileSync(bundlePath, 'utf8');
  const bundleLines = bundleText.split('\n');
  const modules = moduleIndex(bundleText);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const moduleOf = (cf: CallFrame): string => {
    if (cf.url === bundleUrl) return moduleAt(modules, cf.lineNumber);
    if (cf.url.startsWith('node:') || cf.url === '') return cf.url || '(native)';
    return cf.url.replace(/^.*\//, '');
  };
  // Phase of a node: the innermost marker on its stack, or undefined outside analyze().
  const phaseCache = new Map<number, Phase | undefined>();
  const phaseOf = (id: number): Phase | undefined => {
    if (phaseCache.has(id)) return phaseCache.get(id);
    const chain: number[] = [];
    let found: Phase | undefined;
    let inAnalyze = false;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      chain.push(cur);
      const name = byId.get(cur)!.callFrame.functionName;
      for (const [re, ph] of MARKERS) {
        if (re.test(name)) {
          found ??= ph;
          if (ph === 'analyze') inAnalyze = true;
        }
      }
    }
    const result = inAnalyze ? found : undefined;
    phaseCache.set(id, result);
    return result;
  };

  const self = new Map<string, { name: string; module: string; ms: number; phase: Phase }>();
  const phaseMs = new Map<Phase, number>();
  const phaseGc = new Map<Phase, number>();
  let outside = 0;
  let lastPhase: Phase | undefined;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample lasts until the next one.
    const ms = (i + 1 < timeDeltas.length ? timeDeltas[i + 1]! : 0) / 1000;
    const node = byId.get(samples[i]!)!;
    const name = node.callFrame.functionName;
    if (name === '(garbage collector)') {
      if (lastPhase) {
        phaseGc.set(lastPhase, (phaseGc.get(lastPhase) ?? 0) + ms);
        phaseMs.set(lastPhase, (phaseMs.get(lastPhase) ?? 0) + ms);
        const key = `(garbage collector)|${lastPhase}`;
        const e = self.get(key) ?? { name: '(garbage collector)', module: '(gc)', ms: 0, phase: lastPhase };
        e.ms += ms;
        self.set(key, e);
      } else outside += ms;
      continue;
    }
    const phase = phaseOf(node.id);
    lastPhase = phase;
    if (!phase) {
      outside += ms;
      continue;
    }
    phaseMs.set(phase, (phaseMs.get(phase) ?? 0) + ms);
    const module = moduleOf(node.callFrame);
    const fname = name || '(anonymous)';
    const key = `${fname}|${module}|${node.callFrame.lineNumber}|${phase}`;
    const e = self.get(key) ?? { name: fname, module, ms: 0, phase };
    e.ms += ms;
    self.set(key, e);
  }
  const analysisMs = [...phaseMs.values()].reduce((s, x) => s + x, 0);
  const gcMs = [...phaseGc.values()].reduce((s, x) => s + x, 0);
  // Merge entries that differ only by phase for the overall ranking.
  const overall = new Map<string, { name: string; module: string; ms: number; phase: Phase; best: number }>();
  for (const e of self.values()) {
    const key = `${e.name}|${e.module}`;
    const o = overall.get(key);
    if (!o) overall.set(key, { ...e, best: e.ms });
    else {
      o.ms += e.ms;
      if (e.ms > o.best) {
        o.best = e.ms;
        o.phase = e.phase;
      }
    }
  }
  const cost = (e: { name: string; module: string; ms: number; phase: Phase }): FunctionCost => ({
    name: e.name,
    module: e.module,
    selfMs: e.ms,
    share: analysisMs > 0 ? e.ms / analysisMs : 0,
    phase: e.phase,
  });
  const top = [...overall.values()].sort((a, b) => b.ms - a.ms).slice(0, topN).map(cost);
  const phases = PHASES.filter((p) => phaseMs.has(p)).map((p): PhaseCost => {
    const ms = phaseMs.get(p) ?? 0;
    const gc = phaseGc.get(p) ?? 0;
    return {
      phase: p,
      ms,
      gcMs: gc,
      gcShare: ms > 0 ? gc / ms : 0,
      top: [...self.values()].filter((e) => e.phase === p).sort((a, b) => b.ms - a.ms).slice(0, 6).map(cost),
    };
  });
  // Hot lines of the bundle, from the line ticks of the analysis' functions.
  const msPerTick = samples.length > 0 ? (profile.endTime - profile.startTime) / 1000 / samples.length : 0;
  const lineTicks = new Map<number, { ticks: number; phase: Phase }>();
  for (const n of profile.nodes) {
    if (n.callFrame.url !== bundleUrl || !n.positionTicks) continue;
    const phase = phaseOf(n.id);
    if (!phase) continue;
    for (const t of n.positionTicks) {
      const e = lineTicks.get(t.line) ?? { ticks: 0, phase };
      e.ticks += t.ticks;
      lineTicks.set(t.line, e);
    }
  }
  const hotLines = [...lineTicks]
    .sort((a, b) => b[1].ticks - a[1].ticks)
    .slice(0, topN)
    .map(([line, e]): HotLine => ({ module: moduleAt(modules, line - 1), bundleLine: line, code: (bundleLines[line - 1] ?? '').trim().slice(0, 140), ms: e.ticks * msPerTick, phase: e.phase }));
  return { file, analysisMs, gcMs, gcShare: analysisMs > 0 ? gcMs / analysisMs : 0, phases, top, outsideMs: outside, hotLines };
}

export function formatProfile(s: ProfileSummary, title: string, runs: number): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const out: string[] = [];
  const each = runs > 1 ? ` in ${runs} analyses (${(s.analysisMs / runs).toFixed(0)} ms each)` : '';
  out.push(`${title}: ${s.analysisMs.toFixed(0)} ms of samples${each}, GC ${pct(s.gcShare)}`);
  out.push(`  profile: ${s.file}`);
  out.push(`  per phase (ms${runs > 1 ? ' per analysis' : ''}, GC share):`);
  for (const p of s.phases) {
    out.push(`    ${p.phase.padEnd(8)} ${(p.ms / runs).toFixed(1).padStart(8)} ms  ${pct(p.ms / s.analysisMs).padStart(6)} of the analysis  GC ${pct(p.gcShare).padStart(6)}`);
    for (const f of p.top.slice(0, 4)) out.push(`        ${(f.selfMs / runs).toFixed(1).padStart(7)} ms  ${f.name}  (${f.module})`);
  }
  out.push('  top self time:');
  for (const f of s.top) out.push(`    ${(f.selfMs / runs).toFixed(1).padStart(8)} ms ${pct(f.share).padStart(6)}  ${f.name.padEnd(32)} ${f.module}  [${f.phase}]`);
  if (s.hotLines.length > 0) {
    out.push('  hot lines (bundle line: code):');
    for (const h of s.hotLines.slice(0, 15)) out.push(`    ${(h.ms / runs).toFixed(1).padStart(8)} ms  ${h.module}  ${h.code}`);
  }
  return out.join('\n');
}
