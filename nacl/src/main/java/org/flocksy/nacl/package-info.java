/**
 * NaCl's crypto_box and crypto_secretbox (Curve25519, XSalsa20, Poly1305) as JeroMQ's CURVE mechanism calls
 * them, on libsodium where it loads and on jnacl's pure-Java primitives where it does not.
 */
package org.flocksy.nacl;
