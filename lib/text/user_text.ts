/** The text of a stored message, read from its user data when needed (it is not stored). */
import { alphabetOf, type DecodedText, decodeText } from "./coding.ts";
import { ESM_UDHI, parseUdh } from "./concat.ts";
import { gsmCheck, udhFillBits } from "./gsm7.ts";

/** The user data fields a message's text is read from. */
export interface UserData {
  /** User data octets as submitted (UDH included). */
  body: Uint8Array;
  /** esm_class as submitted: with UDHI set, the body starts with a user data header. */
  esmClass: number;
  /** data_coding as submitted. */
  dataCoding: number;
  /** GSM 7-bit user data arrived packed. */
  packed?: boolean;
  /** data_coding 0 is ISO-8859-1 (an account's `dataCoding0: "latin1"`), not GSM 7-bit. */
  latin1?: boolean;
}

/** data_coding 3: ISO-8859-1. */
const LATIN1 = 0x03;

/**
 * The decoded text of a message without its user data header; `text` is null for binary data
 * or an unknown coding. Throws SmppError (ESME_RINVMSGLEN) when the octets do not fit the coding.
 *
 * ```ts
 * const body = new TextEncoder().encode("hello");
 * console.log(userText({ body, esmClass: 0, dataCoding: 0 }).text); // "hello"
 * ```
 */
export function userText(m: UserData): DecodedText {
  const udh = (m.esmClass & ESM_UDHI) !== 0;
  const bytes = udh ? parseUdh(m.body).payload : m.body;
  const dcs = m.latin1 && m.dataCoding === 0 ? LATIN1 : m.dataCoding;
  if (m.packed !== true) return decodeText(bytes, dcs);
  // Packed septets after a UDH start on the next septet boundary (GSM 03.40 fill bits).
  const fillBits = udh ? udhFillBits(m.body.length - bytes.length) : 0;
  return decodeText(bytes, dcs, { packed: true, fillBits });
}

/**
 * Throws what {@link userText} throws for the same user data, without making the text when it
 * can tell without (unpacked GSM 7-bit, the usual submit): for messages whose text nobody reads.
 */
export function checkUserText(m: UserData): void {
  if (m.packed === true || (m.latin1 && m.dataCoding === 0) || alphabetOf(m.dataCoding) !== "gsm") {
    userText(m);
    return;
  }
  gsmCheck((m.esmClass & ESM_UDHI) !== 0 ? parseUdh(m.body).payload : m.body);
}
