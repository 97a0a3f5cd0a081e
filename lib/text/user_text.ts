/** The text of a stored message, read from its user data when needed (it is not stored). */
import { type DecodedText, decodeText } from "./coding.ts";
import { ESM_UDHI, parseUdh } from "./concat.ts";

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
}

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
  const bytes = m.esmClass & ESM_UDHI ? parseUdh(m.body).payload : m.body;
  return decodeText(bytes, m.dataCoding, { packed: m.packed === true });
}
