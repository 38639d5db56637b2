export { canonicalJson } from './canonical-json.js';
export { checkManifest, signManifest, signedBytes } from './manifest-signature.js';
export { RequestWriters, TRUSTED_WRITERS_FILE, TrustedWriters, type TrustedWriter } from './trusted-writers.js';
export { WRITER_KEY_FILE, consoleSigner, keyIdOf, publicKeyFromRaw, signerFromPrivateKey, type ManifestSigner } from './writer-key.js';
export { readCheckedManifest, requireTrusted, type CheckedManifest } from './read-manifest.js';
