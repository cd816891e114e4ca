// Document symbols (the outline) from the syntax tree of one file: a tree that follows
// the file as written (platform ▸ host bridge ▸ ports ▸ endpoints ▸ VFs; buffers; shares).

import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver/node';
import type { EpItem, Model, Name, PciNode, PlatformItem, Span } from '../syntax/ast';
import { spanToRange } from './convert';
import { shareDeclName } from './lookup';

function within(outer: Range, inner: Range): boolean {
  const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

function sym(name: string, detail: string, kind: SymbolKind, span: Span, sel: Span | undefined, children: DocumentSymbol[] = []): DocumentSymbol {
  const range = spanToRange(span);
  const selected = sel ? spanToRange(sel) : range;
  return {
    name: name || '(missing name)',
    detail,
    kind,
    range,
    // After error recovery a name may lie outside its node's range: LSP forbids that.
    selectionRange: within(range, selected) ? selected : range,
    children,
  };
}

function named(n: Name | undefined): string {
  return n?.text ?? '';
}

function epChildren(items: readonly EpItem[]): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const it of items) {
    if (it.kind === 'Vf') out.push(sym(named(it.name), `vf${it.bdf ? ' ' + it.bdf.text : ''}`, SymbolKind.Object, it.span, it.name.span, epChildren(it.items)));
  }
  return out;
}

function pciNode(n: PciNode): DocumentSymbol {
  switch (n.kind) {
    case 'RootPort':
      return sym(named(n.name), `root_port${n.bdf ? ' ' + n.bdf.text : ''}`, SymbolKind.Interface, n.span, n.name.span, n.children.map(pciNode));
    case 'Switch':
      return sym(named(n.name), `switch${n.bdf ? ' ' + n.bdf.text : ''}`, SymbolKind.Interface, n.span, n.name.span, n.children.map(pciNode));
    case 'Port':
      return sym(named(n.name), `port${n.bdf ? ' ' + n.bdf.text : ''}`, SymbolKind.Interface, n.span, n.name.span, n.children.map(pciNode));
    case 'Endpoint':
      return sym(named(n.name), `${n.cls.value}${n.bdf ? ' ' + n.bdf.text : ''}`, SymbolKind.Object, n.span, n.name.span, epChildren(n.items));
  }
}

function platformItem(it: PlatformItem): DocumentSymbol | undefined {
  switch (it.kind) {
    case 'Cpu':
      return sym('cpu', it.vendor.value, SymbolKind.Property, it.span, undefined);
    case 'Kernel':
      return sym('kernel', it.options.map((o) => (o.kind === 'KernelFlag' ? o.flag.value : 'disable_acs_redir')).join(' '), SymbolKind.Property, it.span, undefined);
    case 'Iommu':
      return sym('iommu', `${it.type.value}${it.mode ? ' mode ' + it.mode.value : ''}`, SymbolKind.Property, it.span, undefined);
    case 'Memory':
      return sym(named(it.name), 'memory', SymbolKind.Field, it.span, it.name.span);
    case 'HostBridge':
      return sym(named(it.name), `host_bridge${it.id ? ' ' + it.id.text : ''}`, SymbolKind.Module, it.span, it.name.span, it.children.map(pciNode));
    case 'Link':
      return sym(`link ${it.type.value}`, it.members.map((m) => m.text).join(', '), SymbolKind.Property, it.span, undefined);
    case 'PlatformDevice':
      return sym(named(it.name), 'platform_device', SymbolKind.Object, it.span, it.name.span);
    case 'Iommufd':
      return sym(named(it.name), 'iommufd', SymbolKind.Object, it.span, it.name.span);
    case 'Kvm':
      return sym(named(it.name), 'kvm', SymbolKind.Object, it.span, it.name.span);
    default:
      return undefined;
  }
}

export function documentSymbols(model: Model): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const item of model.items) {
    switch (item.kind) {
      case 'Use':
        out.push(sym(`use "${item.path.value}"`, '', SymbolKind.File, item.span, item.path.span));
        break;
      case 'Platform':
        out.push(
          sym(named(item.name), 'platform', SymbolKind.Namespace, item.span, item.name.span, item.items.map(platformItem).filter((s): s is DocumentSymbol => s !== undefined)),
        );
        break;
      case 'Buffer':
        out.push(
          sym(named(item.name), `buffer from ${item.exporter?.text ?? 'heap'}${item.driver ? ' driver ' + item.driver.value : ''}`, SymbolKind.Variable, item.span, item.name.span),
        );
        break;
      case 'Share':
        out.push(sym(shareDeclName(item), 'share', SymbolKind.Event, item.span, item.alias?.span ?? item.buffer.span));
        break;
    }
  }
  return out;
}
