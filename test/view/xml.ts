// A small, strict XML parser for the tests: enough of XML 1.0 to check that the SVG is
// well-formed (one root, tags nested and closed, attributes quoted and unique, no raw
// `<` or stray `&`, only the predefined and numeric character references) and to query
// the elements. It throws on anything not well-formed.

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The text directly inside (entities decoded, CDATA included). */
  text: string;
  readonly parent: XmlElement | undefined;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: number): string {
  return s.replace(/&([^;&\s]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new Error(`XML: '&' not starting a reference near offset ${where}`);
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    const e = ENTITIES[body];
    if (e === undefined) throw new Error(`XML: unknown entity &${body}; near offset ${where}`);
    return e;
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];
  const fail = (msg: string): never => {
    throw new Error(`XML: ${msg} at offset ${i}: ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  while (i < src.length) {
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i + 9);
      if (end < 0) fail('unterminated CDATA');
      if (stack.length === 0) fail('CDATA outside the root');
      stack[stack.length - 1]!.text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith('</', i)) {
      i += 2;
      const m = NAME.exec(src.slice(i));
      if (!m) fail('bad closing tag');
      const name = m![0];
      i += name.length;
      while (/\s/.test(src[i] ?? '')) i++;
      if (src[i] !== '>') fail('bad closing tag');
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> closes <${open?.name ?? 'nothing'}>`);
    } else if (src[i] === '<') {
      i++;
      const m = NAME.exec(src.slice(i));
      if (!m) fail('bad tag name');
      const name = m![0];
      i += name.length;
      const attrs: Record<string, string> = {};
      for (;;) {
        const ws = /^\s*/.exec(src.slice(i))![0].length;
        i += ws;
        if (src.startsWith('/>', i) || src[i] === '>') break;
        if (ws === 0) fail('attributes must be separated by white space');
        const an = NAME.exec(src.slice(i));
        if (!an) fail('bad attribute name');
        const aname = an![0];
        i += aname.length;
        if (src[i] !== '=') fail(`attribute ${aname} without a value`);
        i++;
        const q = src[i];
        if (q !== '"' && q !== "'") fail(`attribute ${aname} not quoted`);
        const end = src.indexOf(q!, i + 1);
        if (end < 0) fail('unterminated attribute value');
        const raw = src.slice(i + 1, end);
        if (raw.includes('<')) fail(`'<' in the value of ${aname}`);
        if (aname in attrs) fail(`duplicate attribute ${aname}`);
        attrs[aname] = decode(raw, i);
        i = end + 1;
      }
      const parent = stack[stack.length - 1];
      if (!parent && root) fail('a second root element');
      const el: XmlElement = { name, attrs, children: [], text: '', parent };
      if (parent) parent.children.push(el);
      else root = el;
      if (src.startsWith('/>', i)) i += 2;
      else {
        i++;
        stack.push(el);
      }
    } else {
      const next = src.indexOf('<', i);
      const end = next < 0 ? src.length : next;
      const text = src.slice(i, end);
      if (stack.length === 0) {
        if (text.trim() !== '') fail('text outside the root');
      } else {
        if (text.includes(']]>')) fail("']]>' in text");
        stack[stack.length - 1]!.text += decode(text, i);
      }
      i = end;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) fail('no root element');
  return root!;
}

/** Every element below `el` (depth first, `el` included). */
export function allElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [el];
  for (const c of el.children) out.push(...allElements(c));
  return out;
}

export function classesOf(el: XmlElement): string[] {
  return (el.attrs['class'] ?? '').split(/\s+/).filter(Boolean);
}
