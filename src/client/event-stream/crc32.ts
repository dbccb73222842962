/**
 * CRC-32 (IEEE, as zlib) over a byte range, slicing-by-8. Event-stream frames are a few hundred bytes:
 * in JS over (bytes, start, end) this beats zlib.crc32, which needs a view object per call and a
 * native crossing for each of a frame's two checksums.
 */
const TABLE = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let k = 1; k < 8; k++) {
    const previous = TABLE[(k - 1) * 256 + n]!;
    TABLE[k * 256 + n] = (previous >>> 8) ^ TABLE[previous & 255]!;
  }
}

/** CRC-32 of bytes [start, end), continuing from `crc` (the CRC of the bytes before `start`), unsigned. */
export function crc32(bytes: Uint8Array, start: number, end: number, crc = 0): number {
  return crc32Int(bytes, start, end, crc) >>> 0;
}

/**
 * The same CRC as a signed 32-bit integer, for the hot path: compared with a checksum read as int32 it
 * stays a small integer, where an unsigned value of 2^31 or more would be boxed as a heap number.
 */
export function crc32Int(bytes: Uint8Array, start: number, end: number, crc = 0): number {
  const t = TABLE;
  let c = ~crc;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (lo & 255)]! ^
      t[1536 + ((lo >>> 8) & 255)]! ^
      t[1280 + ((lo >>> 16) & 255)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 255]! ^ (c >>> 8);
  return ~c;
}
