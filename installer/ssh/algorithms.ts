// The SSH algorithms labctl offers, best first. Written out rather than left to ssh2's defaults so the
// choice is ours and visible: curve25519 key exchange and ed25519 host keys are the fastest and what
// modern OpenSSH prefers (on 2 cores, OpenSSH's default post-quantum exchange makes a 32-host fan-out
// about three times slower than curve25519). The later entries are the fallback for older servers
// (OpenSSH < 6.5 has no curve25519, some appliances only ECDH/DH group exchange and RSA host keys).
// Left out on purpose: SHA-1 exchanges and `ssh-rsa` signatures, CBC and arcfour ciphers, MD5 MACs.
import { getCiphers } from 'node:crypto';

// ssh2 refuses an algorithm list naming a cipher this Node's OpenSSL lacks (chacha20 under FIPS).
const chacha = getCiphers().includes('chacha20') ? ['chacha20-poly1305@openssh.com'] : [];

/** ssh2's `algorithms` connect option. */
export const SSH_ALGORITHMS = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  serverHostKey: [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
  ],
  // AES-GCM first: hardware AES on every x86 server; chacha20-poly1305 for CPUs without it.
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', ...chacha, 'aes128-ctr', 'aes256-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none'],
};
