/**
 * An Express app using aws-bedrock-inference two ways:
 *  1. the classic pattern: your own route that forwards a stream to the response, chunk by chunk;
 *  2. the toolkit's routes (SSE chat with replay, OpenAI-compatible /v1, ...) mounted as middleware.
 */
import express, { type Express } from 'express';
import type { BedrockStreamingClient } from '../../src/index.js';
import { expressMiddleware } from '../../src/server/index.js';

export function createApp(client: BedrockStreamingClient): Express {
  const app = express();

  // 1. The classic route: stream the answer as plain text; a client that leaves stops Bedrock.
  app.post('/story', express.json(), async (req, res) => {
    const topic = typeof req.body?.topic === 'string' ? req.body.topic : 'space exploration';
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      const stream = client.invokeStream({
        prompt: `Write a short story about ${topic}.`,
        maxTokens: 300,
        signal: abort.signal,
      });
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      for await (const chunk of stream) res.write(chunk);
      res.end();
    } catch (error) {
      if (abort.signal.aborted) return; // the client went away
      if (!res.headersSent) res.status(502).json({ error: 'The model failed; try again.' });
      else res.end();
      console.error('story failed:', (error as Error).name);
    }
  });

  // 2. The toolkit's streaming routes, mounted as they are (they read the JSON body themselves).
  app.use(expressMiddleware({ client, logger: false }));

  app.get('/', (_req, res) => {
    res.type('text/plain').send('POST /story {"topic":"..."}, POST /api/chat, POST /v1/chat/completions\n');
  });
  return app;
}
