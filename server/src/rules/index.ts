// All the rules of docs/language.md §5, one module per code, and the per-code severity
// settings (`dmabuf.rules` in the editor, `--rule code=severity` on the command line).

import type { ResolvedModel } from '../model/types';
import type { EngineResult } from '../engine/run';
import { toFinding, type Rule } from './rule';
import * as upstream from './upstream';
import acsRedirect from './acsRedirect';
import atsP2p from './atsP2p';
import cpuMapping from './cpuMapping';
import dmaUnreachable from './dmaUnreachable';
import expectMismatch from './expectMismatch';
import exporterTopologyPolicy from './exporterTopologyPolicy';
import importerMismatch from './importerMismatch';
import invalidValue from './invalidValue';
import iovaExhausted from './iovaExhausted';
import missingNotifier from './missingNotifier';
import multipath from './multipath';
import notPciImporter from './notPciImporter';
import odpUnsupported from './odpUnsupported';
import p2pFallbackSystem from './p2pFallbackSystem';
import p2pHostBridge from './p2pHostBridge';
import p2pNotSupported from './p2pNotSupported';
import p2pRequired from './p2pRequired';
import p2pViaIommu from './p2pViaIommu';
import pfnNoPath from './pfnNoPath';
import pinnedImporterRefused from './pinnedImporterRefused';
import pinnedOnMap from './pinnedOnMap';
import pinUnsupported from './pinUnsupported';
import privateAddressSpace from './privateAddressSpace';
import privateDomain from './privateDomain';
import sgSplit4g from './sgSplit4g';
import sharedIommuGroup from './sharedIommuGroup';
import staticImporterRefused from './staticImporterRefused';
import swiotlbBounce from './swiotlbBounce';
import tphTarget from './tphTarget';
import kernelTooOld from './kernelTooOld';
import kernelOptionAbsent from './kernelOptionAbsent';
import type { DiagnosticCode, Severity } from '../ground/codes';
import type { Finding } from '../ground/findings';

export type RuleSettings = Readonly<Record<string, Severity | 'off'>>;

export const RULES: readonly Rule[] = [
  upstream.syntaxError,
  upstream.unknownName,
  upstream.duplicateName,
  invalidValue,
  upstream.missingPlatform,
  upstream.useNotFound,
  p2pNotSupported,
  p2pFallbackSystem,
  p2pHostBridge,
  acsRedirect,
  p2pViaIommu,
  missingNotifier,
  staticImporterRefused,
  p2pRequired,
  exporterTopologyPolicy,
  pinUnsupported,
  pinnedOnMap,
  notPciImporter,
  pfnNoPath,
  swiotlbBounce,
  dmaUnreachable,
  iovaExhausted,
  privateDomain,
  sharedIommuGroup,
  multipath,
  atsP2p,
  tphTarget,
  privateAddressSpace,
  sgSplit4g,
  cpuMapping,
  expectMismatch,
  odpUnsupported,
  pinnedImporterRefused,
  importerMismatch,
  kernelTooOld,
  kernelOptionAbsent,
  upstream.distroKernel,
];

export const RULE_BY_CODE: ReadonlyMap<DiagnosticCode, Rule> = new Map(RULES.map((r) => [r.code, r]));

const MODEL_RULES = RULES.filter((r) => r.checkModel);
const SHARE_RULES = RULES.filter((r) => r.checkShare);

/** Runs the engine's rules, then applies the severity settings to every finding (upstream ones too). */
export function runRules(model: ResolvedModel, engine: EngineResult | undefined, settings: RuleSettings, upstreamFindings: readonly Finding[] = []): Finding[] {
  const out: Finding[] = [];
  const emit = (rule: Rule, f: Finding) => {
    const s = settings[rule.code] ?? rule.severity;
    if (s !== 'off') out.push(s === f.severity ? f : { ...f, severity: s });
  };
  for (const f of upstreamFindings) {
    const rule = RULE_BY_CODE.get(f.code);
    if (rule) emit(rule, f);
    else out.push(f);
  }
  if (engine) {
    const ctx = { model, engine };
    for (const rule of MODEL_RULES) for (const d of rule.checkModel!(ctx)) emit(rule, toFinding(rule, rule.severity, d));
    // Share by share, every rule, with index loops: a model's first analysis runs this
    // before the JIT has optimised it, and for-of allocates an iterator per share and rule
    // there. The findings are sorted afterwards; one code comes from one rule, in share
    // order either way.
    const shares = engine.shares;
    for (let i = 0; i < shares.length; i++) {
      const o = shares[i]!;
      for (let r = 0; r < SHARE_RULES.length; r++) {
        const rule = SHARE_RULES[r]!;
        const drafts = rule.checkShare!(o, ctx);
        for (let k = 0; k < drafts.length; k++) emit(rule, toFinding(rule, rule.severity, drafts[k]!));
      }
    }
  }
  return out;
}
