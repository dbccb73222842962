/**
 * The fault matrix's other axis: every way a user consumes a stream, each reduced to one
 * Observation (what it delivered, how it ended). Vitest-free, so `npm run soak` runs the same cells.
 */
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { streamChat } from '../../src/browser/index.js';
import { BedrockInferenceError, type BedrockStreamingClient } from '../../src/index.js';
import { SseReader } from '../server/http/sse-parse.js';
import { pageConsumer } from './page-consumer.js';

export interface Observation {
  outcome: 'complete' | 'error';
  /** Text the consumer showed its user, in order. */
  delivered: string;
  errorType?: string | undefined;
  /** The partial text the error carried (the page: the text it kept); undefined without a typed error (plain text). */
  partialText?: string | undefined;
  /** What the consumer itself saw go wrong beyond the text (the page: a typing indicator left showing). */
  problems?: string[];
  /** Where the consumer offers to continue an interrupted answer (the page's Continue): how that ended. */
  continued?: { outcome: 'complete' | 'error'; text: string };
}

export interface ConsumerEnv {
  client: BedrockStreamingClient;
  serverUrl: string;
  prompt: string;
  maxTokens: number;
  /** The chat page, open on the server in Chromium (rigs started with `{ page: true }`). */
  page?: Page | undefined;
}

export interface Consumer {
  name: string;
  /** Resume is on: a resumable cut must end in the complete answer. */
  resume: boolean;
  /** Consumes only non-streaming calls (mid-stream faults do not reach it). */
  unary: boolean;
  /** Runs only in a rig that opened the chat page (ConsumerEnv.page). */
  needs?: 'page';
  run(env: ConsumerEnv): Promise<Observation>;
}

function libraryError(error: unknown, delivered: string): Observation {
  const typed = BedrockInferenceError.isInstance(error);
  return {
    outcome: 'error',
    delivered,
    errorType: typed ? error.name : `untyped ${String(error)}`,
    partialText: typed ? error.partialText : undefined,
  };
}

const iterator: Consumer = {
  name: 'library: iterator',
  resume: false,
  unary: false,
  async run({ client, prompt, maxTokens }) {
    let delivered = '';
    try {
      for await (const chunk of client.invokeStream({ prompt, maxTokens })) delivered += chunk;
      return { outcome: 'complete', delivered };
    } catch (error) {
      return libraryError(error, delivered);
    }
  },
};

const iteratorResume: Consumer = {
  ...iterator,
  name: 'library: iterator, resume',
  resume: true,
  async run({ client, prompt, maxTokens }) {
    let delivered = '';
    try {
      for await (const chunk of client.invokeStream({ prompt, maxTokens, resume: true })) delivered += chunk;
      return { outcome: 'complete', delivered };
    } catch (error) {
      return libraryError(error, delivered);
    }
  },
};

const callbacks: Consumer = {
  name: 'library: callbacks',
  resume: false,
  unary: false,
  async run({ client, prompt, maxTokens }) {
    let delivered = '';
    let failure: unknown;
    const result = await client.invokeStreamWithCallbacks({
      prompt,
      maxTokens,
      onContent: (delta) => (delivered += delta),
      onError: (error) => (failure = error),
    });
    if (failure !== undefined || result === undefined) return libraryError(failure, delivered);
    return { outcome: 'complete', delivered };
  },
};

const invoke: Consumer = {
  name: 'library: invoke',
  resume: false,
  unary: true,
  async run({ client, prompt, maxTokens }) {
    try {
      const result = await client.invoke({ prompt, maxTokens });
      return { outcome: 'complete', delivered: result.text };
    } catch (error) {
      return libraryError(error, '');
    }
  },
};

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function httpRefusal(response: Response): Promise<Observation> {
  const body = (await response.json()) as { error?: { type?: string } };
  return { outcome: 'error', delivered: '', errorType: body.error?.type ?? `HTTP ${response.status}`, partialText: '' };
}

const streamCompletion: Consumer = {
  name: 'server: /api/stream-completion',
  resume: false,
  unary: false,
  async run({ serverUrl, prompt, maxTokens }) {
    const response = await post(`${serverUrl}/api/stream-completion`, { prompt, maxTokens });
    if (response.status !== 200) return httpRefusal(response);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let delivered = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        delivered += decoder.decode(value, { stream: true });
      }
      return { outcome: 'complete', delivered: delivered + decoder.decode() };
    } catch {
      // Plain text has no error frame: the cut connection is the error, the text so far the partial.
      return { outcome: 'error', delivered, errorType: 'connection cut' };
    }
  },
};

function chatConsumer(resume: boolean): Consumer {
  return {
    name: `server: /api/chat${resume ? ', resume' : ''}`,
    resume,
    unary: false,
    async run({ serverUrl, prompt, maxTokens }) {
      const response = await post(`${serverUrl}/api/chat`, {
        messages: [{ role: 'user', content: prompt }],
        maxTokens,
        ...(resume ? { resume: true } : {}),
      });
      if (response.status !== 200) return httpRefusal(response);
      const events = await new SseReader(response).readAll();
      const delivered = events
        .filter((event) => event.event === 'text')
        .map((event) => (JSON.parse(event.data) as { text: string }).text)
        .join('');
      const last = events.at(-1);
      if (last?.event === 'done') return { outcome: 'complete', delivered };
      const data = last === undefined ? {} : (JSON.parse(last.data) as { type?: string; partialText?: string });
      return {
        outcome: 'error',
        delivered,
        errorType: last?.event === 'error' ? data.type : `no terminal event (${last?.event ?? 'none'})`,
        partialText: data.partialText,
      };
    },
  };
}

const openai: Consumer = {
  name: 'server: /v1 via openai',
  resume: false,
  unary: false,
  async run({ serverUrl, prompt, maxTokens }) {
    const client = new OpenAI({ baseURL: `${serverUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    let delivered = '';
    try {
      const stream = await client.chat.completions.create({
        model: 'anthropic.claude-3-haiku-20240307-v1:0',
        messages: [{ role: 'user', content: prompt }],
        max_tokens: maxTokens,
        stream: true,
      });
      for await (const chunk of stream) delivered += chunk.choices[0]?.delta.content ?? '';
      return { outcome: 'complete', delivered };
    } catch (error) {
      if (!(error instanceof OpenAI.APIError))
        return { outcome: 'error', delivered, errorType: `untyped ${String(error)}` };
      const body = (error.error ?? {}) as { type?: string; partial_text?: string };
      return {
        outcome: 'error',
        delivered,
        errorType: body.type ?? `HTTP ${error.status}`,
        partialText: error.status === undefined ? body.partial_text : '',
      };
    }
  },
};

const browser: Consumer = {
  name: 'browser client (Node)',
  resume: false,
  unary: false,
  async run({ serverUrl, prompt, maxTokens }) {
    let delivered = '';
    const stream = streamChat({
      baseUrl: serverUrl,
      messages: [{ role: 'user', content: prompt }],
      maxTokens,
      reconnect: false,
      onEvent: (event) => {
        if (event.type === 'text') delivered += event.text;
      },
    });
    const final = await stream.finished;
    if (final.state.phase === 'done') return { outcome: 'complete', delivered };
    return {
      outcome: 'error',
      delivered,
      errorType: final.error?.errorType ?? final.state.phase,
      partialText: final.error?.partialText,
    };
  },
};

export const CONSUMERS: readonly Consumer[] = [
  iterator,
  iteratorResume,
  callbacks,
  invoke,
  streamCompletion,
  chatConsumer(false),
  chatConsumer(true),
  openai,
  browser,
  pageConsumer,
];
