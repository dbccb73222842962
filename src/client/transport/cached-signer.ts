/**
 * The SigV4 signer of our own SDK client, built once per signing region and service. The SDK's default
 * `signer` builds a new SignatureV4 for every request (copying the whole client config into it), which
 * also discards the signer's cache of derived signing keys; this passes the SDK's own SignatureV4 the
 * same settings the default would (the client's resolved credential chain, region, service, hash and
 * path escaping) and keeps it. It goes in as the SDK's documented `signer` option.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AuthScheme, RequestSigner } from '@smithy/types';

type ResolvedConfig = BedrockRuntimeClient['config'] & {
  signingName?: string;
  defaultSigningName?: string;
  signingEscapePath?: boolean;
};

/** `config()` is read on first use: the client's resolved config does not exist before the client. */
export function cachedSigner(config: () => ResolvedConfig): (authScheme?: AuthScheme) => Promise<RequestSigner> {
  const signers = new Map<string, SignatureV4>();
  return async (authScheme) => {
    const resolved = config();
    const scheme = authScheme as { signingRegion?: string; signingName?: string } | undefined;
    const region = scheme?.signingRegion ?? (await resolved.region());
    const service = scheme?.signingName ?? resolved.signingName ?? resolved.defaultSigningName ?? 'bedrock';
    const key = `${region}\u0000${service}`;
    let signer = signers.get(key);
    if (signer === undefined) {
      signer = new SignatureV4({
        credentials: resolved.credentials,
        region,
        service,
        sha256: resolved.sha256,
        uriEscapePath: resolved.signingEscapePath ?? true,
      });
      signers.set(key, signer);
    }
    return signer;
  };
}
