import { randomFillSync } from "node:crypto";

const IDS_PER_BATCH = 256;
const HEX = Buffer.from("0123456789abcdef", "latin1");
// Where each of the 32 hexadecimal digits goes in "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
const DIGIT_AT = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];

/**
 * Random (version 4, RFC 9562) UUIDs for X-Request-Id, one per request. Like crypto.randomUUID,
 * the random bytes come from the system's generator in batches; unlike it, each id is written
 * into a 36-byte template and read out as one string, instead of being joined from 20 short
 * strings that become garbage at once.
 */
export class RequestIds {
  private readonly random = Buffer.allocUnsafe(16 * IDS_PER_BATCH);
  private next = IDS_PER_BATCH;
  private readonly text = Buffer.from("00000000-0000-4000-8000-000000000000", "latin1");

  create(): string {
    if (this.next === IDS_PER_BATCH) {
      randomFillSync(this.random);
      this.next = 0;
    }
    const offset = 16 * this.next++;
    const { random, text } = this;
    // Version 4 in the high nibble of byte 6, variant 10xx in the high bits of byte 8.
    random[offset + 6] = (random[offset + 6] & 0x0f) | 0x40;
    random[offset + 8] = (random[offset + 8] & 0x3f) | 0x80;
    for (let i = 0; i < 16; i++) {
      const byte = random[offset + i];
      text[DIGIT_AT[2 * i]] = HEX[byte >> 4];
      text[DIGIT_AT[2 * i + 1]] = HEX[byte & 0x0f];
    }
    return text.toString("latin1");
  }
}
