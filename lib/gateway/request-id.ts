import { randomFillSync } from "node:crypto";

const IDS_PER_BATCH = 256;
const ID_LENGTH = 36;
const DASH = 45;
const HEX_DIGITS = "0123456789abcdef";
// Where the two hexadecimal digits of each of the 16 bytes go in "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
const PAIR_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
// Both digits of every byte value as one 16-bit store (little-endian: the first digit in the low byte).
const DIGIT_PAIRS = new Uint16Array(256);
for (let byte = 0; byte < 256; byte++) DIGIT_PAIRS[byte] = HEX_DIGITS.charCodeAt(byte >> 4) | (HEX_DIGITS.charCodeAt(byte & 15) << 8);

/**
 * Random (version 4, RFC 9562) UUIDs for X-Request-Id, one per request. Like crypto.randomUUID,
 * the random bytes come from the system's generator in batches. Unlike it, a whole batch of ids is
 * written as text at once and read out as one string, of which each id is a slice: no string is
 * joined per id, and the conversion from bytes to a string is paid once per batch.
 */
export class RequestIds {
  private readonly random = Buffer.allocUnsafe(16 * IDS_PER_BATCH);
  private readonly text = Buffer.allocUnsafe(ID_LENGTH * IDS_PER_BATCH);
  private readonly textView = new DataView(this.text.buffer, this.text.byteOffset, this.text.byteLength);
  private batch = "";
  private next = IDS_PER_BATCH;

  create(): string {
    if (this.next === IDS_PER_BATCH) this.refill();
    const start = ID_LENGTH * this.next++;
    return this.batch.slice(start, start + ID_LENGTH);
  }

  private refill(): void {
    randomFillSync(this.random);
    for (let id = 0; id < IDS_PER_BATCH; id++) writeUuid(this.random, 16 * id, this.text, this.textView, ID_LENGTH * id);
    this.batch = this.text.toString("latin1");
    this.next = 0;
  }
}

/**
 * Writes 16 random bytes as a version 4 UUID. A function of its own, called for every id, so that
 * the JIT compiles it early although a batch is made only once per 256 requests.
 */
function writeUuid(random: Buffer, from: number, text: Buffer, textView: DataView, to: number): void {
  // Version 4 in the high nibble of byte 6, variant 10xx in the high bits of byte 8.
  random[from + 6] = (random[from + 6] & 0x0f) | 0x40;
  random[from + 8] = (random[from + 8] & 0x3f) | 0x80;
  text[to + 8] = text[to + 13] = text[to + 18] = text[to + 23] = DASH;
  for (let i = 0; i < 16; i++) textView.setUint16(to + PAIR_AT[i], DIGIT_PAIRS[random[from + i]], true);
}
