// The model's one global name space (docs/language.md §1): declarations and the references
// to them, each resolved once every declaration of the model is collected.

import type * as A from '../syntax/ast';
import type { Place, Reference, SymbolInfo, SymbolKind } from './types';
import type { Finding } from '../ground/findings';
import type { DiagnosticCode } from '../ground/codes';
import { didYouMean } from '../ground/suggest';

/** Where the model's findings go (all of the `names` phase). */
export type Report = (code: DiagnosticCode, message: string, place: Place, related?: Finding['related'], data?: Finding['data'], severity?: Finding['severity']) => void;

export class Names {
  readonly symbols = new Map<string, SymbolInfo>();
  readonly references: Reference[] = [];

  constructor(private readonly report: Report) {}

  /** Declares `name`; false (and a `duplicate-name`) when it is taken. */
  declare(name: A.Name, kind: SymbolKind, uri: string, declSpan: A.Span): boolean {
    const prev = this.symbols.get(name.text);
    const place = { uri, span: name.span };
    if (prev) {
      this.report('duplicate-name', `'${name.text}' is already declared (as a ${kindWord(prev.kind)}): names are global to a model`, place, [
        { uri: prev.place.uri, span: prev.place.span, message: `first declaration of '${name.text}'` },
      ]);
      return false;
    }
    this.symbols.set(name.text, { name: name.text, kind, place, declPlace: { uri, span: declSpan } });
    return true;
  }

  /** A reference to one of `kinds`; undefined (and an `unknown-name`) when it names nothing or something else. */
  ref(name: A.Name, uri: string, kinds: readonly SymbolKind[], what: string): SymbolInfo | undefined {
    const sym = this.symbols.get(name.text);
    const ok = sym && kinds.includes(sym.kind) ? sym : undefined;
    this.references.push({ name, uri, symbol: sym });
    if (!sym) {
      // "Did you mean": the nearest declared name of a kind that fits here (`nic1` for `nic0`).
      const fits = [...this.symbols.values()].filter((s) => kinds.includes(s.kind)).map((s) => s.name);
      const meant = didYouMean(name.text, fits);
      const hint = meant ? `: did you mean '${meant}'?` : '';
      const place = { uri, span: name.span };
      this.report('unknown-name', `'${name.text}' is not declared in this model: expected ${what}${hint}`, place, [], meant ? { replace: meant, found: name.text } : undefined);
    } else if (!ok) {
      this.report('unknown-name', `'${name.text}' is a ${kindWord(sym.kind)}, not ${what}`, { uri, span: name.span }, [
        { uri: sym.place.uri, span: sym.place.span, message: `'${name.text}' is declared here` },
      ]);
    }
    return ok;
  }
}

function kindWord(k: SymbolKind): string {
  switch (k) {
    case 'pci':
      return 'PCI device';
    case 'host_bridge':
      return 'host bridge';
    case 'platform_device':
      return 'platform device';
    default:
      return k;
  }
}
