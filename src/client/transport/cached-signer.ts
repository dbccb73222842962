/**
 * The SigV4 signer of our own SDK client, built once per signing region and service. The SDK's default
 * `signer` builds a new SignatureV4 for every request (copying the whole client config into it), which
 * also discards the signer's cache of derived signing keys; this keeps one signer per region and service,
 * with the settings the default would use (the client's resolved credential chain, region, service, hash
 * and path escaping): the lean signer for our requests' shape, the SDK's SignatureV4 for any other
 * (lean-sigv4-signer.ts). It goes in as the SDK's documented `signer` option.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AuthScheme, RequestSigner } from '@smithy/types';
import { LeanSigV4Signer } from './lean-sigv4-signer.js';

type ResolvedConfig = BedrockRuntimeClient['config'] & {
  signingName?: string;
  defaultSigningName?: string;
  signingEscapePath?: boolean;
};

/** `config()` is read on first use: the client's resolved config does not exist before the client. */
export function cachedSigner(config: () => ResolvedConfig): (authScheme?: AuthScheme) => Promise<RequestSigner> {
  const signers = new Map<string, RequestSigner>();
  return async (authScheme) => {
    const resolved = config();
    const scheme = authScheme as { signingRegion?: string; signingName?: string } | undefined;
    const region = scheme?.signingRegion ?? (await resolved.region());
    const service = scheme?.signingName ?? resolved.signingName ?? resolved.defaultSigningName ?? 'bedrock';
    const key = `${region}\u0000${service}`;
    let signer = signers.get(key);
    if (signer === undefined) {
      const uriEscapePath = resolved.signingEscapePath ?? true;
      const settings = { credentials: resolved.credentials, region, service, uriEscapePath };
      signer = new LeanSigV4Signer({
        ...settings,
        fallback: new SignatureV4({ ...settings, sha256: resolved.sha256 }),
      });
      signers.set(key, signer);
    }
    return signer;
  };
}
