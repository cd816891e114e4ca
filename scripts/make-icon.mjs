// Draws images/icon.png, the extension's 128×128 marketplace icon: two devices on a
// PCIe tree sharing one buffer. Plain geometry written as a PNG with node:zlib, so the
// icon can be made again (`node scripts/make-icon.mjs`) with nothing installed.
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';
import { deflateSync } from 'node:zlib';

const N = 128;
const px = new Uint8Array(N * N * 4); // RGBA, transparent

function put(x, y, [r, g, b, a = 255]) {
  if (x < 0 || y < 0 || x >= N || y >= N) return;
  const i = (y * N + x) * 4;
  px.set([r, g, b, a], i);
}
function rect(x0, y0, x1, y1, c, radius = 0) {
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const dx = Math.max(x0 + radius - x - 0.5, 0, x + 0.5 - (x1 - radius));
      const dy = Math.max(y0 + radius - y - 0.5, 0, y + 0.5 - (y1 - radius));
      if (dx * dx + dy * dy <= radius * radius) put(x, y, c);
    }
  }
}

const navy = [0x1b, 0x2a, 0x4a];
const teal = [0x2e, 0xc4, 0xb6];
const amber = [0xff, 0xb3, 0x47];
const white = [0xf4, 0xf6, 0xfb];

rect(0, 0, 128, 128, navy, 22); // the tile
rect(52, 14, 76, 34, white, 5); // the root complex
rect(62, 34, 66, 56, white); // down to the switch
rect(24, 52, 104, 58, white, 3); // the switch's bus
rect(26, 58, 32, 74, white); // down to each device
rect(96, 58, 102, 74, white);
rect(10, 74, 50, 108, teal, 7); // exporter
rect(78, 74, 118, 108, teal, 7); // importer
rect(18, 84, 110, 98, amber, 5); // the shared buffer, peer to peer

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  let c = ~0;
  for (const b of out.subarray(4, 8 + data.length)) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  out.writeUInt32BE(~c >>> 0, 8 + data.length);
  return out;
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) Buffer.from(px.buffer, y * N * 4, N * 4).copy(raw, y * (N * 4 + 1) + 1);
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(new URL('../images/icon.png', import.meta.url), png);
console.log(`images/icon.png: ${png.length} bytes`);
