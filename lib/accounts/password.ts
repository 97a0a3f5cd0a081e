/**
 * Password checks: PBKDF2-SHA256 hashes (WebCrypto) for passwords kept in KV, and a constant-time
 * comparison of SHA-256 digests for passwords held in memory (config accounts).
 */
import { PBKDF2_ITERATIONS } from "../core/defaults.ts";
import type { PasswordHash } from "../store/records.ts";

/** PBKDF2 iterations for new hashes; bind-time cost is paid once per bind. */
export const DEFAULT_ITERATIONS = PBKDF2_ITERATIONS;

const enc = new TextEncoder();

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function unb64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(
  password: string,
  iterations = DEFAULT_ITERATIONS,
): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return {
    alg: "pbkdf2-sha256",
    iterations,
    salt: b64(salt),
    hash: b64(await derive(password, salt, iterations)),
  };
}

/** Compares every byte whatever the first difference, so timing reveals nothing. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * True when `password` equals `expected`: both are hashed with SHA-256 and the digests compared in
 * constant time, so neither the content nor the length of `expected` shows in the timing. For
 * secrets already held in memory (the config file's passwords): microseconds instead of PBKDF2's
 * tens of milliseconds.
 */
export async function sameSecret(password: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(password)),
    crypto.subtle.digest("SHA-256", enc.encode(expected)),
  ]);
  return constantTimeEqual(new Uint8Array(a), new Uint8Array(b));
}

/** True when `password` matches the stored hash. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const got = await derive(password, unb64(stored.salt), stored.iterations);
  return constantTimeEqual(got, unb64(stored.hash));
}

/** A random password of `length` characters from an unambiguous alphabet (fits C(9) at 8). */
export function generatePassword(length = 8): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}
