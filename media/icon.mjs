// Draws media/icon.png (256×256): a "Q" ring with ghost-text lines inside, on an indigo tile.
// Plain Node, no dependencies, no network: `node media/icon.mjs`. 4×4 supersampling for smooth edges.

import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 256;
const SUB = 4;

const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);
const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

function inRoundedSquare(x, y, r) {
  const cx = Math.min(Math.max(x, r), SIZE - r);
  const cy = Math.min(Math.max(y, r), SIZE - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function nearSegment(x, y, ax, ay, bx, by, halfWidth) {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return (x - ax - t * (bx - ax)) ** 2 + (y - ay - t * (by - ay)) ** 2 <= halfWidth ** 2;
}

/** The colour at one sub-pixel, or undefined outside the tile. */
function sample(x, y) {
  if (!inRoundedSquare(x, y, 52)) return undefined;
  let c = mix(hex('#4338ca'), hex('#1e1b4b'), y / SIZE);
  const teal = mix(hex('#5eead4'), hex('#22d3ee'), x / SIZE);
  const d = Math.hypot(x - 124, y - 118);
  const ring = d <= 80 && d >= 56;
  const tail = nearSegment(x, y, 150, 150, 192, 192, 12);
  if (ring || tail) c = teal;
  // Inside the ring: a typed line, then a fainter "ghost" suggestion, and the cursor between them.
  if (nearSegment(x, y, 92, 104, 130, 104, 6)) c = hex('#f8fafc');
  if (nearSegment(x, y, 92, 132, 116, 132, 6)) c = hex('#f8fafc');
  if (nearSegment(x, y, 132, 132, 156, 132, 6)) c = mix(c, hex('#f8fafc'), 0.45);
  if (nearSegment(x, y, 124, 121, 124, 143, 2.5)) c = teal;
  return c;
}

const rows = [];
for (let py = 0; py < SIZE; py++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0, then RGBA
  for (let px = 0; px < SIZE; px++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SUB; sy++) {
      for (let sx = 0; sx < SUB; sx++) {
        const c = sample(px + (sx + 0.5) / SUB, py + (sy + 0.5) / SUB);
        if (!c) continue;
        r += c[0];
        g += c[1];
        b += c[2];
        a++;
      }
    }
    const o = 1 + px * 4;
    if (a > 0) {
      row[o] = Math.round(r / a);
      row[o + 1] = Math.round(g / a);
      row[o + 2] = Math.round(b / a);
      row[o + 3] = Math.round((255 * a) / (SUB * SUB));
    }
  }
  rows.push(row);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
process.stdout.write(`media/icon.png: ${png.length} bytes\n`);
