/** A test CA and a server certificate for 127.0.0.1 it signed, made fresh per test run (selfsigned). */
import { generate } from 'selfsigned';

export interface TestCertificates {
  /** The CA's certificate: what a client trusts. */
  ca: string;
  /** The server's key and certificate (issued by the CA, for 127.0.0.1). */
  key: string;
  cert: string;
}

export async function createTestCertificates(): Promise<TestCertificates> {
  const ca = await generate([{ name: 'commonName', value: 'aws-bedrock-inference test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { ca: ca.cert, key: server.private, cert: server.cert };
}
