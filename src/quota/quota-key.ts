/**
 * What Bedrock meters a call against. Bedrock keeps one quota per model and inference type: on-demand
 * calls (a plain model id or its foundation-model ARN) draw on "On-demand InvokeModel tokens per minute
 * for <model>", calls through a cross-Region system profile (`us.`, `eu.`, `global.`, ... or its
 * inference-profile ARN) on that profile's "Cross-Region" quota. So `anthropic.claude-3-haiku-...` and
 * `arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-...` share one budget, and
 * `us.anthropic.claude-3-haiku-...` and its profile ARN share another. Application inference profiles
 * (and other opaque ARNs) say nothing about their model: map them with `profiles`.
 */

/** Geographic prefixes of system (cross-Region) inference profiles (bedrock-wire.md §7). */
const GEO_PREFIXES = new Set(['us', 'eu', 'apac', 'jp', 'au', 'us-gov', 'global', 'sa', 'amer', 'ca']);

/** ARN resource types whose id is a model id or a system profile id. */
const ID_BEARING_ARNS = new Set(['foundation-model', 'inference-profile']);

export interface QuotaKeyOptions {
  /**
   * Model identifiers Bedrock cannot be asked about here (application inference profile ARNs,
   * provisioned models), mapped to the model or system profile id whose quota they draw on.
   */
  profiles?: Readonly<Record<string, string>>;
}

/**
 * The quota key of a model identifier: `<inference type>/<base model id>`, where the inference type is
 * `on-demand` or the system profile's geography (`us`, `global`, ...). Opaque identifiers without a
 * mapping are their own key.
 */
export function resolveQuotaKey(modelId: string, options: QuotaKeyOptions = {}): string {
  const mapped = options.profiles?.[modelId];
  const id = idOf(mapped ?? modelId);
  if (id === undefined) return `opaque/${modelId}`;
  const dot = id.indexOf('.');
  const prefix = dot > 0 ? id.slice(0, dot) : '';
  return GEO_PREFIXES.has(prefix) ? `${prefix}/${id.slice(dot + 1)}` : `on-demand/${id}`;
}

/** The model or system profile id an identifier names (ARNs unwrapped), or undefined for opaque ARNs. */
function idOf(modelId: string): string | undefined {
  if (!modelId.startsWith('arn:')) return modelId;
  // arn:<partition>:bedrock:<region>:<account>:<resourceType>/<rest>
  const parts = modelId.split(':');
  if (parts[2] !== 'bedrock') return undefined;
  const resource = parts.slice(5).join(':');
  const slash = resource.indexOf('/');
  if (slash < 0) return undefined;
  const type = resource.slice(0, slash);
  return ID_BEARING_ARNS.has(type) ? resource.slice(slash + 1) : undefined;
}
