/**
 * obshell's hybrid encryption ("auth v2", protocol §2), as pure functions shared by the client and the simulator.
 *
 * - Header: base64 of the concatenated RSA PKCS#1 v1.5 blocks of the header JSON, cut into plaintext chunks of at
 *   most 53 bytes (valid for any key ≥ 512 bits, because the server decrypts by k-byte ciphertext blocks).
 * - Body: base64 of AES-128-CBC/PKCS#7 ciphertext, under a fresh random key and IV per request.
 *
 * Randomness is injected (`RandomBytes`) so tests can fix AES keys; RSA padding randomness comes from OpenSSL.
 * Private-key decryption: Node ≥ 20.11 refuses PKCS#1 v1.5 padding in `privateDecrypt` (CVE-2023-46809), so the
 * agent side runs raw RSA in OpenSSL (`RSA_NO_PADDING`) and removes the type-2 padding itself. That is ~50× faster
 * than pure-JS RSA (node-forge), which matters when one process simulates a hundred agents.
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, constants, randomBytes as nodeRandomBytes, type KeyObject } from "node:crypto";
import type { AuthHeaderFields } from "./schemas";

/** Source of random bytes; `crypto.randomBytes` by default. */
export type RandomBytes = (size: number) => Buffer;

/** The AES-128 key and IV of one request. */
export interface AesKeys {
  key: Buffer;
  iv: Buffer;
}

/** The chunk size both official SDKs use: 512/8 − 11 (§2.2). */
export const SDK_RSA_CHUNK_SIZE = 53;

/** A fresh AES-128 key and IV. */
export function generateAesKeys(random: RandomBytes = nodeRandomBytes): AesKeys {
  return { key: random(16), iv: random(16) };
}

/** The header's `keys` value: standard base64 of key ‖ IV (32 bytes). */
export function encodeAesKeys(keys: AesKeys): string {
  return Buffer.concat([keys.key, keys.iv]).toString("base64");
}

/** Encrypts a request body: standard base64 of AES-128-CBC/PKCS#7 ciphertext. */
export function encryptBody(plaintext: Buffer | string, keys: AesKeys): string {
  const cipher = createCipheriv("aes-128-cbc", keys.key, keys.iv);
  const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
  return Buffer.concat([cipher.update(data), cipher.final()]).toString("base64");
}

/** Decrypts a well-formed body produced by `encryptBody` (strict PKCS#7; for tests and tools, not the server path). */
export function decryptBody(base64: string, keys: AesKeys): Buffer {
  const decipher = createDecipheriv("aes-128-cbc", keys.key, keys.iv);
  return Buffer.concat([decipher.update(Buffer.from(base64, "base64")), decipher.final()]);
}

/** AES-128-CBC decryption without padding removal (the server strips padding itself, without validation §2.4). */
export function aesCbcDecryptRaw(ciphertext: Buffer, key: Buffer, iv: Buffer): Buffer {
  const decipher = createDecipheriv("aes-128-cbc", key, iv);
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** A parsed agent public key. */
export interface AgentPublicKey {
  /** PKCS#1 RSAPublicKey DER, exactly as the agent published it. */
  der: Buffer;
  keyObject: KeyObject;
  /** Modulus size in bits (512 before obshell 4.4.2.0, 1024 after). */
  bits: number;
  /** Modulus length in bytes, the ciphertext block size k. */
  blockSize: number;
  /** Lowercase hex SHA-256 of the DER: what a pin compares against. */
  fingerprint: string;
}

/** Parses `public_key` from `GET /api/v1/secret` (base64 PKCS#1 DER, not SPKI). Throws on anything else. */
export function parseAgentPublicKey(base64Der: string): AgentPublicKey {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64Der)) throw new Error("public key is not standard base64");
  const der = Buffer.from(base64Der, "base64");
  const keyObject = createPublicKey({ key: der, format: "der", type: "pkcs1" });
  const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
  if (keyObject.asymmetricKeyType !== "rsa" || bits < 512) throw new Error(`public key is not an RSA key of at least 512 bits (${bits})`);
  return { der, keyObject, bits, blockSize: Math.ceil(bits / 8), fingerprint: publicKeyFingerprint(der) };
}

/** SHA-256 of the PKCS#1 DER, lowercase hex. */
export function publicKeyFingerprint(der: Buffer): string {
  return createHash("sha256").update(der).digest("hex");
}

/** RSA PKCS#1 v1.5 encryption of `plaintext` in chunks of `chunkSize` bytes, blocks concatenated, base64 (§2.2). */
export function rsaEncryptChunked(plaintext: Buffer, key: AgentPublicKey, chunkSize = SDK_RSA_CHUNK_SIZE): string {
  const max = key.blockSize - 11;
  if (chunkSize < 1 || chunkSize > max) throw new Error(`chunk size ${chunkSize} is outside 1..${max} for a ${key.bits}-bit key`);
  const blocks: Buffer[] = [];
  // An empty plaintext is still one block (§2.2).
  for (let offset = 0; offset === 0 || offset < plaintext.length; offset += chunkSize) {
    const chunk = plaintext.subarray(offset, offset + chunkSize);
    blocks.push(publicEncrypt({ key: key.keyObject, padding: constants.RSA_PKCS1_PADDING }, chunk));
  }
  return Buffer.concat(blocks).toString("base64");
}

/** JSON key styles: the Python SDK's lowercase keys, or the Go SDK's capitalised ones (§2.3). */
export type HeaderKeyStyle = "python" | "go";

/** The header JSON text. Python style keeps `keys` always; Go style sends `Keys: null` without a body. */
export function headerJson(fields: AuthHeaderFields, style: HeaderKeyStyle = "python"): string {
  if (style === "go") return JSON.stringify({ Auth: fields.auth, Ts: fields.ts, Uri: fields.uri, Keys: fields.keys });
  return JSON.stringify({ auth: fields.auth, ts: fields.ts, uri: fields.uri, keys: fields.keys });
}

/** The full header value: base64 of the chunked RSA encryption of the header JSON. */
export function encryptAuthHeader(fields: AuthHeaderFields, key: AgentPublicKey, style: HeaderKeyStyle = "python"): string {
  return rsaEncryptChunked(Buffer.from(headerJson(fields, style), "utf8"), key);
}

// ---------------------------------------------------------------------------------------------------------------
// Agent side (the simulator): key pairs and PKCS#1 v1.5 decryption.

/** An agent's RSA key pair. */
export interface AgentKeyPair {
  /** PKCS#1 PEM of the private key. */
  privateKeyPem: string;
  /** What `GET /api/v1/secret` publishes: base64 PKCS#1 DER of the public key. */
  publicKeyBase64: string;
  bits: number;
}

/** Generates an agent key pair of `bits` (512 before obshell 4.4.2.0, 1024 after). */
export function generateAgentKeyPair(bits: 512 | 1024 | 2048 = 1024): AgentKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: 65537 });
  const privateKeyPem = privateKey.export({ format: "pem", type: "pkcs1" }).toString();
  const publicKeyBase64 = publicKey.export({ format: "der", type: "pkcs1" }).toString("base64");
  return { privateKeyPem, publicKeyBase64, bits };
}

/** Derives the published public key (base64 PKCS#1 DER) from a PKCS#1 PEM private key. */
export function agentKeyPairFromPem(privateKeyPem: string): AgentKeyPair {
  const privateKey = createPrivateKey({ key: privateKeyPem, format: "pem" });
  const publicKeyBase64 = createPublicKey(privateKey).export({ format: "der", type: "pkcs1" }).toString("base64");
  return { privateKeyPem, publicKeyBase64, bits: privateKey.asymmetricKeyDetails?.modulusLength ?? 0 };
}

/** A private key ready for decryption; parse once, decrypt many times. */
export interface AgentPrivateKey {
  blockSize: number;
  decryptBlock(block: Buffer): Buffer;
}

/** Parses a PKCS#1 PEM private key for PKCS#1 v1.5 block decryption. */
export function loadAgentPrivateKey(privateKeyPem: string): AgentPrivateKey {
  const key = createPrivateKey({ key: privateKeyPem, format: "pem" });
  const blockSize = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  return {
    blockSize,
    decryptBlock: (block) => removePkcs1Type2Padding(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, block)),
  };
}

/**
 * Strips PKCS#1 v1.5 encryption padding: `00 02 PS 00 M` with PS at least 8 non-zero bytes (RFC 8017 §7.2.2).
 * Throws on anything else; callers map that to the server's DecryptFailed.
 */
export function removePkcs1Type2Padding(em: Buffer): Buffer {
  if (em.length < 11 || em[0] !== 0x00 || em[1] !== 0x02) throw new Error("crypto/rsa: decryption error");
  const separator = em.indexOf(0x00, 2);
  if (separator < 10) throw new Error("crypto/rsa: decryption error");
  return em.subarray(separator + 1);
}

/**
 * Server-side header decryption (§2.2): strict standard base64, cut into k-byte blocks, decrypt each, concatenate.
 * Throws an Error whose message reads like Go's when any step fails.
 */
export function rsaDecryptChunked(base64: string, key: AgentPrivateKey): Buffer {
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new Error("illegal base64 data at input byte 0");
  const data = Buffer.from(base64, "base64");
  if (data.length === 0 || data.length % key.blockSize !== 0) throw new Error("crypto/rsa: decryption error");
  const out: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += key.blockSize) {
    try {
      out.push(key.decryptBlock(data.subarray(offset, offset + key.blockSize)));
    } catch {
      throw new Error("crypto/rsa: decryption error");
    }
  }
  return Buffer.concat(out);
}
