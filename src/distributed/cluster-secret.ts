/**
 * The opt-in shared secret of a Cicada master and its workers (--cluster-secret), carried
 * by ZeroMQ's CURVE security. Without it the master port is open to anyone who reaches
 * it (Locust's default too): they can download the bundled locustfile with its secrets,
 * join as a worker, or flood the log.
 *
 * CURVE needs the server's key pair on the master and the server's public key on each
 * client; a client that does not know that public key cannot complete the handshake, so
 * nothing it sends ever reaches the master. Both are derived from the secret here (the
 * server's secret key is a SHA-256 of it, its public key the X25519 one of that key, as
 * libsodium computes it), so one passphrase on every node is all it takes. Each worker
 * uses a fresh key pair of its own. The traffic is encrypted as well.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { curveKeyPair } from "zeromq";

/** ZeroMQ socket options for CURVE, as the zeromq package takes them (Z85 text). */
export interface CurveServerOptions {
  curveServer: true;
  curveSecretKey: string;
}
export interface CurveClientOptions {
  curveServerKey: string;
  curvePublicKey: string;
  curveSecretKey: string;
}

/** A PKCS#8 DER header for a raw 32-byte X25519 private key. */
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** The server key pair (raw bytes) of `secret`. */
function serverKeys(secret: string): { secretKey: Buffer; publicKey: Buffer } {
  const secretKey = createHash("sha256").update(`cicada-cluster-secret-v1\0${secret}`).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, secretKey]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { secretKey, publicKey: spki.subarray(spki.length - 32) };
}

/** The master's socket options for `secret`. */
export function curveServerOptions(secret: string): CurveServerOptions {
  return { curveServer: true, curveSecretKey: z85Encode(serverKeys(secret).secretKey) };
}

/** A worker's socket options for `secret` (a fresh key pair of its own each time). */
export function curveClientOptions(secret: string): CurveClientOptions {
  const own = curveKeyPair();
  return {
    curveServerKey: z85Encode(serverKeys(secret).publicKey),
    curvePublicKey: own.publicKey,
    curveSecretKey: own.secretKey,
  };
}

/** The X25519 public key (Z85) of a Z85 secret key: for checking the derivation against libzmq. */
export function curvePublicKeyOf(secretKeyZ85: string): string {
  const privateKey = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, z85Decode(secretKeyZ85)]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return z85Encode(spki.subarray(spki.length - 32));
}

const Z85_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** ZeroMQ's Z85 text of `bytes` (a multiple of 4 long). */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new RangeError("Z85 encodes a multiple of 4 bytes");
  let text = "";
  for (let i = 0; i < bytes.length; i += 4) {
    let value = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    const chunk: string[] = [];
    for (let j = 0; j < 5; j++) {
      chunk.unshift(Z85_ALPHABET[value % 85]!);
      value = Math.floor(value / 85);
    }
    text += chunk.join("");
  }
  return text;
}

/** The bytes of ZeroMQ's Z85 `text` (a multiple of 5 long). */
export function z85Decode(text: string): Buffer {
  if (text.length % 5 !== 0) throw new RangeError("Z85 text is a multiple of 5 characters");
  const bytes = Buffer.alloc((text.length / 5) * 4);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const digit = Z85_ALPHABET.indexOf(text[i + j]!);
      if (digit < 0) throw new RangeError(`not a Z85 character: ${text[i + j]}`);
      value = value * 85 + digit;
    }
    bytes.writeUInt32BE(value >>> 0, (i / 5) * 4);
  }
  return bytes;
}
