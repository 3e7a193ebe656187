/** Keys and hashes: CURVE key pairs in Z85, the JSON key files, BLAKE2b through libsodium. */
package org.flocksy.core.crypto;
