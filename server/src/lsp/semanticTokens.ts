// Semantic tokens (full document): every name as written, by what it names. Devices
// (PCI functions, host bridges, platform devices, iommufd, kvm) are `class`, buffers
// `variable`, shares (`as` names) `event`, the platform `namespace`, memory regions
// `property`. Declarations carry the `declaration` modifier; a reference to a name the
// model does not declare carries `unresolved`, with the type its place calls for.

import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensLegend } from 'vscode-languageserver/node';
import type { SymbolInfo, SymbolKind } from '../model/types';
import type { EpItem, Model, Name, PciNode } from '../syntax/ast';

const TOKEN_TYPES = ['namespace', 'class', 'variable', 'event', 'property'] as const;
const TOKEN_MODIFIERS = ['declaration', 'unresolved'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

function typeOfKind(k: SymbolKind): TokenType {
  switch (k) {
    case 'platform':
      return 'namespace';
    case 'memory':
      return 'property';
    case 'buffer':
      return 'variable';
    case 'share':
      return 'event';
    default:
      return 'class';
  }
}

export interface NameToken {
  readonly name: Name;
  readonly type: TokenType;
  readonly modifiers: readonly TokenModifier[];
}

/**
 * Every name of one file with its token type.
 * @param lookup the symbol a name resolves to in the models the file belongs to
 */
function nameTokens(model: Model, lookup: (name: string) => SymbolInfo | undefined): NameToken[] {
  const out: NameToken[] = [];
  const decl = (name: Name | undefined, type: TokenType) => {
    if (name && name.text && name.span.endOffset > name.span.startOffset) out.push({ name, type, modifiers: ['declaration'] });
  };
  const ref = (name: Name | undefined, expected: TokenType) => {
    if (!name || !name.text || name.span.endOffset <= name.span.startOffset) return;
    const sym = lookup(name.text);
    out.push(sym ? { name, type: typeOfKind(sym.kind), modifiers: [] } : { name, type: expected, modifiers: ['unresolved'] });
  };
  const epItems = (items: readonly EpItem[]) => {
    for (const it of items) {
      if (it.kind === 'Vf') {
        decl(it.name, 'class');
        epItems(it.items);
      }
    }
  };
  const pci = (n: PciNode) => {
    decl(n.name, 'class');
    if (n.kind === 'Endpoint') epItems(n.items);
    else n.children.forEach(pci);
  };
  for (const item of model.items) {
    switch (item.kind) {
      case 'Use':
        break;
      case 'Platform':
        decl(item.name, 'namespace');
        for (const p of item.items) {
          switch (p.kind) {
            case 'Memory':
              decl(p.name, 'property');
              break;
            case 'HostBridge':
              decl(p.name, 'class');
              p.children.forEach(pci);
              break;
            case 'Link':
              p.members.forEach((m) => ref(m, 'class'));
              break;
            case 'PlatformDevice':
              decl(p.name, 'class');
              for (const it of p.items) if (it.kind === 'Parent') ref(it.parent, 'class');
              break;
            case 'Iommufd':
            case 'Kvm':
              decl(p.name, 'class');
              break;
            default:
              break;
          }
        }
        break;
      case 'Buffer':
        decl(item.name, 'variable');
        ref(item.exporter, 'class');
        break;
      case 'Share':
        ref(item.buffer, 'variable');
        ref(item.importer, 'class');
        decl(item.alias, 'event');
        for (const it of item.items) if (it.kind === 'Devices') it.devices.forEach((d) => ref(d, 'class'));
        break;
    }
  }
  return out.sort((a, b) => a.name.span.startOffset - b.name.span.startOffset);
}

export function semanticTokens(model: Model, lookup: (name: string) => SymbolInfo | undefined): SemanticTokens {
  const builder = new SemanticTokensBuilder();
  let lastEnd = -1;
  for (const t of nameTokens(model, lookup)) {
    const s = t.name.span;
    // Names never span lines; recovery may repeat a token: keep tokens ordered and apart.
    if (s.start.line !== s.end.line || s.startOffset < lastEnd) continue;
    lastEnd = s.endOffset;
    const mods = t.modifiers.reduce((m, x) => m | (1 << TOKEN_MODIFIERS.indexOf(x)), 0);
    builder.push(s.start.line, s.start.character, s.end.character - s.start.character, TOKEN_TYPES.indexOf(t.type), mods);
  }
  return builder.build();
}
