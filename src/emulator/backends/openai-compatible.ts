/**
 * Real words from a local OpenAI-compatible server (Ollama, llama.cpp, vLLM) behind Bedrock's framing,
 * timing and faults: `bedrock-inference emulator --backend openai-compatible=http://127.0.0.1:11434/v1`.
 * Deltas are re-split with the emulator's tokenizer so every count it reports stays consistent.
 */
import type { GeneratedToken, GenerationRequest, GenerationResult, TextBackend } from '../families/types.js';
import { tokenize } from '../text/tokenizer.js';

export interface OpenAICompatibleBackendOptions {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  /** The model name the local server knows (default: its first listed model). */
  model?: string;
  apiKey?: string;
}

export function createOpenAICompatibleBackend(options: OpenAICompatibleBackendOptions): TextBackend {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  let model: Promise<string> | undefined;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey !== undefined) headers['authorization'] = `Bearer ${options.apiKey}`;

  const resolveModel = () =>
    (model ??= options.model
      ? Promise.resolve(options.model)
      : fetch(`${baseUrl}/models`, { headers })
          .then((res) => res.json() as Promise<{ data?: { id: string }[] }>)
          .then((list) => {
            const first = list.data?.[0]?.id;
            if (first === undefined) throw new Error(`${baseUrl}/models lists no model; pass one with --backend-model`);
            return first;
          }));

  return {
    async *generate(request: GenerationRequest, signal: AbortSignal): AsyncGenerator<GeneratedToken, GenerationResult> {
      const messages: { role: string; content: string }[] = [{ role: 'user', content: request.conversation }];
      if (request.prefill) messages.push({ role: 'assistant', content: request.prefill });
      const response = await fetch(`${baseUrl}/chat/completions`, {
        method: 'POST',
        headers,
        signal,
        body: JSON.stringify({
          model: await resolveModel(),
          messages,
          stream: true,
          max_tokens: request.maxTokens,
          temperature: request.temperature,
          ...(request.topP === undefined ? {} : { top_p: request.topP }),
          ...(request.stopSequences.length > 0 ? { stop: request.stopSequences } : {}),
        }),
      });
      if (!response.ok || response.body === null) {
        throw new Error(`The OpenAI-compatible backend answered ${response.status}: ${await response.text()}`);
      }
      let outputTokens = 0;
      let finishReason: string | null = null;
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const bytes of response.body) {
        buffer += decoder.decode(bytes as Uint8Array, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') continue;
          const chunk = JSON.parse(data) as {
            choices?: {
              delta?: { content?: string | null; reasoning_content?: string | null };
              finish_reason?: string | null;
            }[];
          };
          const choice = chunk.choices?.[0];
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          for (const [channel, text] of [
            ['reasoning', choice?.delta?.reasoning_content],
            ['text', choice?.delta?.content],
          ] as const) {
            if (!text) continue;
            for (const token of tokenize(text)) {
              if (outputTokens >= request.maxTokens) return { stopReason: 'max_tokens', outputTokens };
              outputTokens++;
              yield { channel, text: token };
            }
          }
        }
      }
      return { stopReason: finishReason === 'length' ? 'max_tokens' : 'end_turn', outputTokens };
    },
  };
}
