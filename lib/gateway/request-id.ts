import { randomFillSync } from "node:crypto";

const IDS_PER_BATCH = 256;
const ID_LENGTH = 36;
const HEX = Buffer.from("0123456789abcdef", "latin1");
const DASH = 45;
// Where each of the 32 hexadecimal digits goes in "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
const DIGIT_AT = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];

/**
 * Random (version 4, RFC 9562) UUIDs for X-Request-Id, one per request. Like crypto.randomUUID,
 * the random bytes come from the system's generator in batches. Unlike it, a whole batch of ids is
 * written as text at once and read out as one string, of which each id is a slice: no string is
 * joined per id, and the conversion from bytes to a string is paid once per batch.
 */
export class RequestIds {
  private readonly random = Buffer.allocUnsafe(16 * IDS_PER_BATCH);
  private readonly text = Buffer.allocUnsafe(ID_LENGTH * IDS_PER_BATCH);
  private batch = "";
  private next = IDS_PER_BATCH;

  create(): string {
    if (this.next === IDS_PER_BATCH) this.refill();
    const start = ID_LENGTH * this.next++;
    return this.batch.slice(start, start + ID_LENGTH);
  }

  private refill(): void {
    randomFillSync(this.random);
    for (let id = 0; id < IDS_PER_BATCH; id++) writeUuid(this.random, 16 * id, this.text, ID_LENGTH * id);
    this.batch = this.text.toString("latin1");
    this.next = 0;
  }
}

/**
 * Writes 16 random bytes as a version 4 UUID. A function of its own, called for every id, so that
 * the JIT compiles it early although a batch is made only once per 256 requests.
 */
function writeUuid(random: Buffer, from: number, text: Buffer, to: number): void {
  // Version 4 in the high nibble of byte 6, variant 10xx in the high bits of byte 8.
  random[from + 6] = (random[from + 6] & 0x0f) | 0x40;
  random[from + 8] = (random[from + 8] & 0x3f) | 0x80;
  text[to + 8] = text[to + 13] = text[to + 18] = text[to + 23] = DASH;
  for (let i = 0; i < 16; i++) {
    const byte = random[from + i];
    text[to + DIGIT_AT[2 * i]] = HEX[byte >> 4];
    text[to + DIGIT_AT[2 * i + 1]] = HEX[byte & 0x0f];
  }
}
