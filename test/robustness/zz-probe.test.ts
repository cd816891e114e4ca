import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { TestClient } from '../lsp/helpers';
const SAMPLE = readFileSync('/work/main/samples/05-hgx-acs-redirect.dmabuf', 'utf8');
function frame(m: object) { const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...m }), 'utf8'); return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]); }
it('probe', async () => {
  const client = await TestClient.start({ rootDir: '/tmp' });
  const uri = 'file:///tmp/cancel.dmabuf';
  const big = SAMPLE + '\n' + 'share weights -> nic1 { attach dynamic move_notify peer2peer }\n'.repeat(4000);
  await client.open(uri, big);
  client.proc.stdout!.on('data', (d: Buffer) => { const s = d.toString(); for (const id of ['r1', 'r2']) if (s.includes(`"id":"${id}"`)) console.log('response', s.slice(s.indexOf('{'), s.indexOf('{') + 150)); });
  for (const [id, late] of [['r1', { method: '$/cancelRequest', params: { id: 'r1' } }], ['r2', { method: 'textDocument/didChange', params: { textDocument: { uri, version: 9 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// y\n' }] } }]] as const) {
    await client.change(uri, big + `// ${id}\n`);
    client.proc.stdin!.write(frame({ id, method: 'textDocument/codeAction', params: { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } } }));
    await new Promise((r) => setTimeout(r, 30));
    client.proc.stdin!.write(frame(late));
    await new Promise((r) => setTimeout(r, 1000));
  }
  await client.stop();
}, 60000);
